/* kustomer-recorder.js: record a page's calls on the Kustomer Web SDK as JSON Lines, for
 * `kustomer-contract trace FILE.jsonl`, which checks the caller's obligations (start first,
 * describe after login's callback, valid options, custom attributes on the Klass).
 *
 * A classic script with no imports or exports: load it with a <script> tag before the
 * Kustomer loader, or `import "./kustomer-recorder.js"` (or require it) in Node for its side
 * effect. It defines globalThis.KustomerRecorder:
 *
 *   KustomerRecorder.wrap(kustomer, sink?)  -> an object with the same methods that records
 *                                              every call, callback and exception
 *   KustomerRecorder.install(sink?)         -> records globalThis.Kustomer now and whatever
 *                                              the page assigns to it later (the loader's stub
 *                                              with only `start`, then the full SDK)
 *   KustomerRecorder.lines                  -> the records of the default sink
 *   KustomerRecorder.dump()                 -> those records as one JSON Lines text
 *
 * sink(line) receives each record as one line of JSON text (without the newline). The default
 * sink appends it to KustomerRecorder.lines and, in a browser, logs it with console.debug.
 * In the browser console: copy(KustomerRecorder.dump()), paste into trace.jsonl.
 *
 * Records: {t, seq, event, method, ...}
 *   t       milliseconds since the recording began (performance.now() or Date.now())
 *   seq     1, 2, 3 ... in the order things happened
 *   event   "call"      a method was called: args (JSON-safe copy; functions as "[function]";
 *                       an `undefined` argument as null, its index listed in `undefinedArgs`)
 *           "callback"  a function passed to a call was called back: call (the seq of that
 *                       call), response and error (its first two arguments; an Error as
 *                       {name, message}; undefined as null)
 *           "throw"     a call threw (call, error); with "in": "callback" when the page's own
 *                       callback threw
 *           "missing"   the page looked up an SDK method the object does not have (yet): the
 *                       loader's stub has only `start`, so a call made that early throws a
 *                       TypeError in the page. Once per object and name; needs Proxy.
 *
 * The recorder never changes what the page sees: the same return values, the same callback
 * arguments and `this`, the same exceptions rethrown; the same function passed twice (e.g. to
 * addListener and removeListener) reaches the SDK as the same function. A sink that throws is
 * ignored. Note that a trace holds what the page passed, login's jwtToken included.
 */
(function () {
  "use strict";

  var G = typeof globalThis !== "undefined" ? globalThis : typeof window !== "undefined" ? window : this;
  if (G.KustomerRecorder && G.KustomerRecorder.__kustomerRecorder) return; // loaded twice

  var MAX_DEPTH = 32;
  // The Web SDK's methods: a lookup of one of these that finds nothing is recorded.
  var SDK_METHODS = [
    "start", "login", "logout", "describeCustomer", "describeConversation", "open", "close",
    "addListener", "removeListener", "isChatAvailable", "createConversation",
    "openConversationById", "getOpenConversations", "openKbArticle", "openKbCategory",
    "getUnreadCount", "isLoggedIn",
  ];
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
    this.proxies = hasWeakMap ? new WeakMap() : null; // raw object -> its proxy
    this.raws = hasWeakMap ? new WeakMap() : null; // proxy -> raw object
    this.methods = hasWeakMap ? new WeakMap() : null; // raw method -> its recording wrapper
    this.callbacks = hasWeakMap ? new WeakMap() : null; // page function -> its wrapper
    this.missed = hasWeakMap ? new WeakMap() : null; // raw object -> {name: true} looked up
  }

  // The page looked up a method the object lacks: recorded once per object and name.
  Recording.prototype.missing = function (target, name) {
    if (!this.missed || SDK_METHODS.indexOf(name) < 0) return;
    var seen = this.missed.get(target);
    if (!seen) this.missed.set(target, (seen = {}));
    if (seen[name]) return;
    seen[name] = true;
    this.emit({ event: "missing", method: name });
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
  Recording.prototype.callbackFor = function (fn, callSeq, method) {
    var rec = this;
    var entry = rec.callbacks && rec.callbacks.get(fn);
    if (!entry) {
      var pending = [];
      entry = { pending: pending, last: null, wrapper: null };
      var wrapper = function () {
        var owner = pending.length ? pending.shift() : entry.last;
        var record = { event: "callback", method: owner.method, call: owner.seq };
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
          rec.emit({ event: "throw", method: owner.method, call: owner.seq, in: "callback", error: failure(err) });
          throw err;
        }
      };
      copyShape(wrapper, fn);
      entry.wrapper = wrapper;
      if (rec.callbacks) rec.callbacks.set(fn, entry);
    }
    entry.last = { seq: callSeq, method: method };
    entry.pending.push(entry.last);
    return entry.wrapper;
  };

  Recording.prototype.methodFor = function (raw, name, fn) {
    var rec = this;
    var cached = rec.methods && rec.methods.get(fn);
    if (cached && cached.name === name) return cached.wrapper;
    var wrapper = function () {
      var args = [];
      var undefinedArgs = [];
      for (var i = 0; i < arguments.length; i++) {
        args.push(typeof arguments[i] === "function" ? "[function]" : copy(arguments[i]));
        if (arguments[i] === undefined) undefinedArgs.push(i);
      }
      var record = { event: "call", method: name, args: args };
      if (undefinedArgs.length) record.undefinedArgs = undefinedArgs;
      var seq = rec.emit(record);
      var passed = [];
      for (var j = 0; j < arguments.length; j++) {
        passed.push(typeof arguments[j] === "function" ? rec.callbackFor(arguments[j], seq, name) : arguments[j]);
      }
      // Called on the proxy: run on the real object, as the unwrapped call would.
      var self = rec.raws && rec.raws.get(this) ? rec.raws.get(this) : this;
      try {
        return fn.apply(self, passed);
      } catch (err) {
        rec.emit({ event: "throw", method: name, call: seq, error: failure(err) });
        throw err;
      }
    };
    copyShape(wrapper, fn);
    if (rec.methods) rec.methods.set(fn, { name: name, wrapper: wrapper });
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

  Recording.prototype.wrap = function (kustomer) {
    var rec = this;
    if (kustomer === null || (typeof kustomer !== "object" && typeof kustomer !== "function")) return kustomer;
    if (rec.raws && rec.raws.get(kustomer)) return kustomer; // already one of ours
    var known = rec.proxies && rec.proxies.get(kustomer);
    if (known) return known;
    var proxy;
    if (typeof Proxy === "function" && !hasFixedMethod(kustomer)) {
      proxy = new Proxy(kustomer, {
        get: function (target, key, receiver) {
          var value = Reflect.get(target, key, target);
          if (typeof value === "function" && typeof key === "string" && key !== "constructor") {
            return rec.methodFor(target, key, value);
          }
          if (value === undefined && typeof key === "string") rec.missing(target, key);
          return value;
        },
      });
    } else {
      // No Proxy (very old browsers) or a frozen SDK object: a copy with wrapped methods.
      proxy = {};
      for (var key in kustomer) {
        var value = kustomer[key];
        proxy[key] = typeof value === "function" ? rec.methodFor(kustomer, key, value) : value;
      }
    }
    if (rec.proxies) rec.proxies.set(kustomer, proxy);
    if (rec.raws) rec.raws.set(proxy, kustomer);
    return proxy;
  };

  var installed = null;

  var Recorder = {
    __kustomerRecorder: true,
    lines: [],
    wrap: function (kustomer, sink) {
      return new Recording(sink).wrap(kustomer);
    },
    install: function (sink, name) {
      name = name || "Kustomer";
      if (installed && installed.name === name) return installed.recording;
      var rec = new Recording(sink);
      var desc = Object.getOwnPropertyDescriptor(G, name);
      if (desc && !desc.configurable) {
        throw new Error("KustomerRecorder.install: globalThis." + name + " cannot be redefined; load the recorder before the Kustomer loader");
      }
      var raw = desc ? ("value" in desc ? desc.value : desc.get ? desc.get.call(G) : undefined) : undefined;
      var outerSet = desc && desc.set;
      Object.defineProperty(G, name, {
        configurable: true,
        enumerable: desc ? desc.enumerable : true,
        get: function () {
          return rec.wrap(raw);
        },
        set: function (value) {
          raw = rec.raws && rec.raws.get(value) ? rec.raws.get(value) : value;
          if (outerSet) outerSet.call(G, raw);
        },
      });
      installed = { name: name, recording: rec };
      return rec;
    },
    dump: function () {
      return Recorder.lines.length ? Recorder.lines.join("\n") + "\n" : "";
    },
  };

  G.KustomerRecorder = Recorder;
})();
