/* kustomer-recorder.js: record a page's calls on the Kustomer Web SDK (window.Kustomer) and on
 * its headless variant (window.KustomerCore, core.js) as JSON Lines, for
 * `kustomer-contract trace FILE.jsonl [--binding web|core|promise]`, which checks the caller's
 * obligations (start first, describe after login's callback, valid options, custom attributes
 * on the Klass, only methods the SDK has).
 *
 * A classic script with no imports or exports: load it with a <script> tag before the
 * Kustomer loader, or `import "./kustomer-recorder.js"` (or require it) in Node for its side
 * effect. It defines globalThis.KustomerRecorder:
 *
 *   KustomerRecorder.wrap(kustomer, sink?, name?)
 *                                           -> an object with the same methods that records
 *                                              every call, callback and exception, its records
 *                                              saying `"object": name` (default "Kustomer")
 *   KustomerRecorder.install(sink?, names?) -> records globalThis.Kustomer and
 *                                              globalThis.KustomerCore (or the global name or
 *                                              list of names given) now and whatever the page
 *                                              assigns to them later (the loader's stub with
 *                                              only `start`, then the full SDK), in one trace
 *   KustomerRecorder.lines                  -> the records of the default sink
 *   KustomerRecorder.dump()                 -> those records as one JSON Lines text
 *
 * sink(line) receives each record as one line of JSON text (without the newline). The default
 * sink appends it to KustomerRecorder.lines and, in a browser, logs it with console.debug.
 * In the browser console: copy(KustomerRecorder.dump()), paste into trace.jsonl.
 *
 * Records: {t, seq, event, object, method, ...}
 *   t       milliseconds since the recording began (performance.now() or Date.now())
 *   seq     1, 2, 3 ... in the order things happened
 *   object  the global the page used: "Kustomer" or "KustomerCore"
 *   event   "call"      a method was called: args (JSON-safe copy; functions as "[function]";
 *                       an `undefined` argument as null, its index listed in `undefinedArgs`)
 *           "callback"  a function passed to a call was called back: call (the seq of that
 *                       call), response and error (its first two arguments; an Error as
 *                       {name, message}; undefined as null)
 *           "settle"    a native Promise a call returned settled: call, response (what it
 *                       resolved with) and error (why it rejected), as for a callback
 *           "throw"     a call threw (call, error); with "in": "callback" when the page's own
 *                       callback threw
 *           "missing"   the page looked up a method the object does not have (yet): the
 *                       loader's stub has only `start`, so a call made that early throws a
 *                       TypeError in the page; a name the SDK never has (addEventListener)
 *                       throws the same way. Once per object and name (common probes such as
 *                       `then` or `toJSON`, and names starting with _ or $, are left out, and
 *                       at most 64 other names per object); needs Proxy.
 *
 * The recorder never changes what the page sees: the same return values, the same callback
 * arguments and `this`, the same exceptions rethrown; the same function passed twice (e.g. to
 * addListener and removeListener) reaches the SDK as the same function. One exception: a
 * native Promise a call returns is handed on as a promise chained to it (it settles the same
 * way, a microtask later), so that its settling is recorded. A sink that throws is
 * ignored. Note that a trace holds what the page passed, login's jwtToken included.
 */
(function () {
  "use strict";

  var G = typeof globalThis !== "undefined" ? globalThis : typeof window !== "undefined" ? window : this;
  if (G.KustomerRecorder && G.KustomerRecorder.__kustomerRecorder) return; // loaded twice

  var MAX_DEPTH = 32;
  var MAX_UNKNOWN = 64; // lookups of names that are no SDK method, recorded per object
  // The Web SDK's methods (the specs' sdk_methods; core's init in place of start): a lookup
  // of one of these that finds nothing is always recorded.
  var SDK_METHODS = [
    "start", "stop", "open", "close", "login", "logout", "describeCustomer",
    "describeConversation", "addListener", "removeListener", "isChatAvailable",
    "createConversation", "openConversationById", "getOpenConversations", "openKbArticle",
    "openKbCategory", "getUnreadCount", "isLoggedIn", "init",
  ];
  // Names other code looks up on any object (promises, JSON, frameworks, test tools, Node's
  // inspector): their lookup says nothing about the page's use of the SDK.
  var PROBES = [
    "then", "catch", "finally", "toJSON", "toString", "valueOf", "toLocaleString",
    "constructor", "prototype", "length", "name", "hasOwnProperty", "isPrototypeOf",
    "propertyIsEnumerable", "inspect", "nodeType", "nodeName", "tagName", "asymmetricMatch",
    "default", "call", "apply", "bind",
  ];
  var GLOBALS = ["Kustomer", "KustomerCore"];
  var hasWeakMap = typeof WeakMap === "function";
  var now =
    typeof performance !== "undefined" && performance && typeof performance.now === "function"
      ? function () { return performance.now(); }
      : function () { return Date.now(); };

  function isError(v) {
    if (v instanceof Error) return true;
    try {
      return Object.prototype.toString.call(v) === "[object Error]";
    } catch (e) {
      return false;
    }
  }

  function errorValue(v) {
    var name = "Error";
    var message = "";
    try { name = String(v.name); } catch (e) { /* keep the default */ }
    try { message = String(v.message); } catch (e) { /* keep the default */ }
    return { name: name, message: message };
  }

  // A JSON-safe copy that reads but never changes the value.
  function safe(v, seen, depth) {
    if (v === null || v === undefined) return null;
    var type = typeof v;
    if (type === "string" || type === "boolean") return v;
    if (type === "number") return isFinite(v) ? v : null;
    if (type === "function") return "[function]";
    if (type === "bigint") return String(v);
    if (type === "symbol") return "[symbol]";
    if (type !== "object") return "[" + type + "]";
    if (seen.indexOf(v) >= 0) return "[circular]";
    if (depth >= MAX_DEPTH) return "[too deep]";
    if (isError(v)) return errorValue(v);
    seen.push(v);
    try {
      if (typeof v.toJSON === "function") return safe(v.toJSON(), seen, depth + 1);
      var out;
      if (Array.isArray(v)) {
        out = [];
        for (var i = 0; i < v.length; i++) out.push(safe(v[i], seen, depth + 1));
        return out;
      }
      out = {};
      var keys = Object.keys(v);
      for (var k = 0; k < keys.length; k++) {
        var item;
        try {
          item = v[keys[k]];
        } catch (e) {
          out[keys[k]] = "[unreadable]";
          continue;
        }
        if (item !== undefined) out[keys[k]] = safe(item, seen, depth + 1);
      }
      return out;
    } catch (e) {
      return "[unreadable]";
    } finally {
      seen.pop();
    }
  }

  function copy(v) {
    try {
      return safe(v, [], 0);
    } catch (e) {
      return "[unreadable]";
    }
  }

  function failure(v) {
    return isError(v) ? errorValue(v) : copy(v);
  }

  function defaultSink(line) {
    Recorder.lines.push(line);
    if (typeof window !== "undefined" && typeof console !== "undefined" && console.debug) {
      console.debug("[kustomer-recorder] " + line);
    }
  }

  // One recording: a clock, a sequence and a sink, shared by every object it wraps.
  function Recording(sink) {
    this.sink = typeof sink === "function" ? sink : defaultSink;
    this.t0 = now();
    this.seq = 0;
    this.proxies = {}; // global name -> WeakMap (or null): raw object -> its proxy
    this.raws = hasWeakMap ? new WeakMap() : null; // proxy -> raw object
    this.methods = hasWeakMap ? new WeakMap() : null; // raw method -> its recording wrapper
    this.callbacks = hasWeakMap ? new WeakMap() : null; // page function -> its wrapper
    this.missed = hasWeakMap ? new WeakMap() : null; // raw object -> {name: true} looked up
  }

  // The page looked up a method the object lacks: recorded once per object and name.
  Recording.prototype.missing = function (target, object, name) {
    if (!this.missed) return;
    var known = SDK_METHODS.indexOf(name) >= 0;
    if (!known && (PROBES.indexOf(name) >= 0 || /^[_$@]/.test(name) || !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name))) return;
    var seen = this.missed.get(target);
    if (!seen) this.missed.set(target, (seen = { "\u0000unknown": 0 }));
    if (Object.prototype.hasOwnProperty.call(seen, name)) return;
    if (!known && seen["\u0000unknown"] >= MAX_UNKNOWN) return;
    if (!known) seen["\u0000unknown"] += 1;
    seen[name] = true;
    this.emit({ event: "missing", object: object, method: name });
  };

  Recording.prototype.emit = function (record) {
    var seq = ++this.seq;
    var line;
    try {
      var out = { t: Math.round((now() - this.t0) * 1000) / 1000, seq: seq };
      for (var key in record) if (Object.prototype.hasOwnProperty.call(record, key)) out[key] = record[key];
      line = JSON.stringify(out);
    } catch (e) {
      line = JSON.stringify({ t: 0, seq: seq, event: record.event, method: String(record.method), unrecordable: true });
    }
    try {
      this.sink(line);
    } catch (e) {
      /* a broken sink must not break the page */
    }
    return seq;
  };

  function copyShape(wrapper, fn) {
    try {
      Object.defineProperty(wrapper, "length", { value: fn.length, configurable: true });
      Object.defineProperty(wrapper, "name", { value: fn.name, configurable: true });
    } catch (e) {
      /* cosmetic only */
    }
  }

  // The wrapper of a page function passed to a call. The same page function always gets the
  // same wrapper; each callback is attributed to the oldest call it was passed to that has
  // not called it back yet (else to the latest).
  Recording.prototype.callbackFor = function (fn, callSeq, method, object) {
    var rec = this;
    var entry = rec.callbacks && rec.callbacks.get(fn);
    if (!entry) {
      var pending = [];
      entry = { pending: pending, last: null, wrapper: null };
      var wrapper = function () {
        var owner = pending.length ? pending.shift() : entry.last;
        var record = { event: "callback", object: owner.object, method: owner.method, call: owner.seq };
        record.response = arguments.length > 0 ? copy(arguments[0]) : null;
        record.error = arguments.length > 1 && arguments[1] != null ? failure(arguments[1]) : null;
        if (arguments.length > 2) {
          var rest = [];
          for (var i = 2; i < arguments.length; i++) rest.push(copy(arguments[i]));
          record.more = rest;
        }
        rec.emit(record);
        try {
          return fn.apply(this, arguments);
        } catch (err) {
          rec.emit({ event: "throw", object: owner.object, method: owner.method, call: owner.seq, in: "callback", error: failure(err) });
          throw err;
        }
      };
      copyShape(wrapper, fn);
      entry.wrapper = wrapper;
      if (rec.callbacks) rec.callbacks.set(fn, entry);
    }
    entry.last = { seq: callSeq, method: method, object: object };
    entry.pending.push(entry.last);
    return entry.wrapper;
  };

  // A native Promise a call returned: handed on chained, so that its settling is recorded.
  Recording.prototype.settled = function (value, callSeq, method, object) {
    var rec = this;
    if (typeof Promise !== "function" || !(value instanceof Promise)) return value;
    var chained;
    try {
      chained = Promise.prototype.then.call(
        value,
        function (response) {
          rec.emit({ event: "settle", object: object, method: method, call: callSeq, response: copy(response), error: null });
          return response;
        },
        function (error) {
          rec.emit({ event: "settle", object: object, method: method, call: callSeq, response: null, error: error == null ? { name: "undefined", message: "" } : failure(error) });
          throw error;
        }
      );
    } catch (e) {
      return value; // a Promise subclass that refuses: hand on the original, unrecorded
    }
    return chained;
  };

  Recording.prototype.methodFor = function (raw, object, name, fn) {
    var rec = this;
    var cached = rec.methods && rec.methods.get(fn);
    if (cached && cached.name === name && cached.object === object) return cached.wrapper;
    var wrapper = function () {
      var args = [];
      var undefinedArgs = [];
      for (var i = 0; i < arguments.length; i++) {
        args.push(typeof arguments[i] === "function" ? "[function]" : copy(arguments[i]));
        if (arguments[i] === undefined) undefinedArgs.push(i);
      }
      var record = { event: "call", object: object, method: name, args: args };
      if (undefinedArgs.length) record.undefinedArgs = undefinedArgs;
      var seq = rec.emit(record);
      var passed = [];
      for (var j = 0; j < arguments.length; j++) {
        passed.push(typeof arguments[j] === "function" ? rec.callbackFor(arguments[j], seq, name, object) : arguments[j]);
      }
      // Called on the proxy: run on the real object, as the unwrapped call would.
      var self = rec.raws && rec.raws.get(this) ? rec.raws.get(this) : this;
      var result;
      try {
        result = fn.apply(self, passed);
      } catch (err) {
        rec.emit({ event: "throw", object: object, method: name, call: seq, error: failure(err) });
        throw err;
      }
      return rec.settled(result, seq, name, object);
    };
    copyShape(wrapper, fn);
    if (rec.methods) rec.methods.set(fn, { name: name, object: object, wrapper: wrapper });
    return wrapper;
  };

  // A Proxy may not return a wrapper for a method that can never change (a frozen object).
  function hasFixedMethod(obj) {
    try {
      var names = Object.getOwnPropertyNames(obj);
      for (var i = 0; i < names.length; i++) {
        var d = Object.getOwnPropertyDescriptor(obj, names[i]);
        if (d && "value" in d && typeof d.value === "function" && !d.configurable && !d.writable) return true;
      }
    } catch (e) {
      return true;
    }
    return false;
  }

  Recording.prototype.wrap = function (kustomer, object) {
    var rec = this;
    object = typeof object === "string" && object ? object : "Kustomer";
    if (kustomer === null || (typeof kustomer !== "object" && typeof kustomer !== "function")) return kustomer;
    if (rec.raws && rec.raws.get(kustomer)) return kustomer; // already one of ours
    if (!(object in rec.proxies)) rec.proxies[object] = hasWeakMap ? new WeakMap() : null;
    var proxies = rec.proxies[object];
    var known = proxies && proxies.get(kustomer);
    if (known) return known;
    var proxy;
    if (typeof Proxy === "function" && !hasFixedMethod(kustomer)) {
      proxy = new Proxy(kustomer, {
        get: function (target, key, receiver) {
          var value = Reflect.get(target, key, target);
          if (typeof value === "function" && typeof key === "string" && key !== "constructor") {
            return rec.methodFor(target, object, key, value);
          }
          if (value === undefined && typeof key === "string") rec.missing(target, object, key);
          return value;
        },
      });
    } else {
      // No Proxy (very old browsers) or a frozen SDK object: a copy with wrapped methods.
      proxy = {};
      for (var key in kustomer) {
        var value = kustomer[key];
        proxy[key] = typeof value === "function" ? rec.methodFor(kustomer, object, key, value) : value;
      }
    }
    if (proxies) proxies.set(kustomer, proxy);
    if (rec.raws) rec.raws.set(proxy, kustomer);
    return proxy;
  };

  var installed = {}; // global name -> the recording installed on it

  function installOn(rec, name) {
    var desc = Object.getOwnPropertyDescriptor(G, name);
    var raw = desc ? ("value" in desc ? desc.value : desc.get ? desc.get.call(G) : undefined) : undefined;
    var outerSet = desc && desc.set;
    Object.defineProperty(G, name, {
      configurable: true,
      enumerable: desc ? desc.enumerable : true,
      get: function () {
        return rec.wrap(raw, name);
      },
      set: function (value) {
        raw = rec.raws && rec.raws.get(value) ? rec.raws.get(value) : value;
        if (outerSet) outerSet.call(G, raw);
      },
    });
    installed[name] = rec;
  }

  var Recorder = {
    __kustomerRecorder: true,
    lines: [],
    wrap: function (kustomer, sink, name) {
      return new Recording(sink).wrap(kustomer, name);
    },
    install: function (sink, names) {
      names = names == null ? GLOBALS : typeof names === "string" ? [names] : names;
      var found = null;
      var todo = [];
      for (var i = 0; i < names.length; i++) {
        if (Object.prototype.hasOwnProperty.call(installed, names[i])) found = found || installed[names[i]];
        else todo.push(names[i]);
      }
      if (!todo.length && found) return found;
      var rec = found || new Recording(sink);
      for (var k = 0; k < todo.length; k++) {
        var desc = Object.getOwnPropertyDescriptor(G, todo[k]);
        if (desc && !desc.configurable) {
          throw new Error("KustomerRecorder.install: globalThis." + todo[k] + " cannot be redefined; load the recorder before the Kustomer loader");
        }
      }
      for (var j = 0; j < todo.length; j++) installOn(rec, todo[j]);
      return rec;
    },
    dump: function () {
      return Recorder.lines.length ? Recorder.lines.join("\n") + "\n" : "";
    },
  };

  G.KustomerRecorder = Recorder;
})();
