// The part of the JavaScript drivers that lives beside the implementation, in Node
// (node_driver.mjs) and in a page (the browser driver injects this source before the page's
// scripts). A classic script with no imports: it defines globalThis.__kustomerContractHost.
//
//   const host = __kustomerContractHost.createHost(post, fresh, shape);
//   reply = await host.handle(request, requiredMethods);
//
// post(message) sends a message that is not a reply (a callback); fresh(klass, klasses, spec) gives a
// new SDK object (may return a promise); shape() names where it came from, for messages.
// A method is named by its name on the object or a dotted path to it ("chat.logIn": called
// with `this` = the object the last part is found on), as a binding names it.
// Requests and replies:
//
// {op: "new", klass: [names] | null, klasses: {name: [names]} | null, spec: "v1" | "v2" | ..., methods: [...]}
//     -> {instance, has: [methods it has], async: [methods that are async functions]} | {error}
// {op: "calls", instance, calls: [{method, args: [{value, opt} | {callback} | {settle, how}]}]}
//     -> {replies: [{threw: null | {name, message, error}, gave: null | "a Promise", took, sync}]}
//     The calls run one after the other in this one turn of the event loop, so no callback
//     can come between them: calls meant to be in flight together are. `took` is the
//     milliseconds a call took to return.
//     {settle: id, how} stands last when the result does not come through a callback (a
//     binding's result: promise | return); it is not passed to the method. Instead the
//     outcome is posted once as callback `id` with the arguments (response, error):
//       how "promise": when the returned value settles (a plain value resolves at once):
//         resolved -> (value, undefined), rejected -> (undefined, reason), a rejection without
//         a reason as a marker; a synchronous throw is `threw`, as for any call;
//       how "return": (the returned value, undefined) at once, and a throw is
//         (undefined, what was thrown), not `threw`.
//     `gave` is only said of calls without a settle.
// {op: "drop", instance} -> null
// callbacks: post({cb: callbackId, args: [{undefined} | {error: {name, message}} | {value}], sync})
//
// Values that JSON cannot carry (functions, cycles, BigInt, NaN, Dates...) travel as
// {"\u0000js": "what it was"} markers; `sync` maps option ids to the options' current contents
// when the implementation changed them (input-untouched is judged on the Python side).
(function (G) {
  "use strict";
  if (G.__kustomerContractHost) return;

  var MARK = "\u0000js";

  function isError(v) {
    try {
      return v instanceof Error || Object.prototype.toString.call(v) === "[object Error]";
    } catch (e) {
      return false;
    }
  }

  function marker(what) {
    var m = {};
    m[MARK] = what;
    return m;
  }

  function encode(v, ancestors) {
    switch (typeof v) {
      case "string":
      case "boolean":
        return v;
      case "number":
        return Number.isFinite(v) ? v : marker("the number " + v);
      case "undefined":
        return marker("undefined");
      case "bigint":
        return marker("the BigInt " + v + "n");
      case "symbol":
        return marker(String(v));
      case "function":
        return marker("a function " + (v.name || "(anonymous)"));
      default:
        break;
    }
    if (v === null) return null;
    if (ancestors.indexOf(v) >= 0) return marker("a cyclic reference (an object that contains itself)");
    if (ancestors.length > 200) return marker("nesting deeper than 200 levels");
    if (isError(v)) return marker("an Error nested in data: " + v.name + ": " + v.message);
    ancestors.push(v);
    try {
      if (Array.isArray(v)) {
        var list = [];
        for (var i = 0; i < v.length; i++) {
          list.push(i in v ? encode(v[i], ancestors) : marker("an array hole"));
        }
        return list;
      }
      var tag = Object.prototype.toString.call(v);
      if (tag !== "[object Object]") return marker("a " + tag.slice(8, -1) + " object");
      var out = {};
      Object.keys(v).forEach(function (key) {
        var x = v[key];
        if (x === undefined) return; // as JSON.stringify: an undefined property is absent
        Object.defineProperty(out, key, {
          value: encode(x, ancestors),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      });
      return out;
    } catch (err) {
      return marker("an unreadable value (" + (err && err.message) + ")");
    } finally {
      ancestors.pop();
    }
  }

  function errorInfo(e) {
    var name = "Error";
    var message = "";
    try {
      name = String(e.name);
      message = String(e.message);
    } catch (err) {
      // a hostile getter: keep the defaults
    }
    return { name: name, message: message };
  }

  function encodeArg(v) {
    if (v === undefined) return { undefined: true };
    if (isError(v)) return { error: errorInfo(v) };
    return { value: encode(v, []) };
  }

  function thrownInfo(e) {
    if (isError(e)) {
      var info = errorInfo(e);
      info.error = true;
      return info;
    }
    var text;
    try {
      text = JSON.stringify(encode(e, []));
    } catch (err) {
      text = String(e);
    }
    return { name: "(not an Error)", message: "throw " + text, error: false };
  }

  // What a rejection or a throw hands over as the error argument: an Error as {error}, any
  // other value as it is, and no value at all (undefined, null) as a marker, so that it still
  // reads as an error.
  function failureArg(reason, what) {
    if (reason === undefined || reason === null) {
      return { value: marker(String(reason) + " (" + what + " without a reason)") };
    }
    return encodeArg(reason);
  }

  // The function a dotted path names on obj, and the object it is found on (its `this`).
  function lookup(obj, path) {
    var parts = String(path).split(".");
    var self = obj;
    var value = obj;
    try {
      for (var i = 0; i < parts.length; i++) {
        if (value === null || (typeof value !== "object" && typeof value !== "function")) {
          return { fn: undefined, self: undefined };
        }
        self = value;
        value = value[parts[i]];
      }
    } catch (err) {
      return { fn: undefined, self: undefined }; // a hostile getter: as if it were not there
    }
    return { fn: value, self: self };
  }

  function isFunction(obj, path) {
    return typeof lookup(obj, path).fn === "function";
  }

  function isAsync(obj, path) {
    var fn = lookup(obj, path).fn;
    try {
      return typeof fn === "function" && fn.constructor && fn.constructor.name === "AsyncFunction";
    } catch (err) {
      return false;
    }
  }

  function isThenable(value) {
    try {
      return value !== null && (typeof value === "object" || typeof value === "function") &&
        typeof value.then === "function";
    } catch (err) {
      return false;
    }
  }

  function createHost(post, fresh, shape) {
    var instances = new Map(); // id -> {obj, options: Map(optId -> {obj, last})}
    var nextInstance = 1;

    function sync(inst) {
      var changed = {};
      var any = false;
      inst.options.forEach(function (entry, id) {
        var now = encode(entry.obj, []);
        var text = JSON.stringify(now);
        if (text !== entry.last) {
          entry.last = text;
          changed[id] = now;
          any = true;
        }
      });
      return any ? changed : null;
    }

    function callbackFor(inst, id) {
      return function kustomerContractCallback() {
        var args = Array.prototype.slice.call(arguments);
        post({ cb: id, args: args.map(encodeArg), sync: sync(inst) });
      };
    }

    async function build(msg, required) {
      var obj;
      try {
        obj = await fresh(msg.klass, msg.klasses, msg.spec);
      } catch (err) {
        return { error: "building an instance threw " + ((err && err.stack) || err) };
      }
      if (obj === null || (typeof obj !== "object" && typeof obj !== "function")) {
        return { error: "building an instance (" + shape() + ") gave " + String(obj) + ", not an object" };
      }
      var missing = required.filter(function (m) { return !isFunction(obj, m); });
      if (missing.length) {
        return { error: "the object (" + shape() + ") lacks the SDK method(s) " + missing.join(", ") };
      }
      var id = nextInstance++;
      instances.set(id, { obj: obj, options: new Map() });
      var has = (msg.methods || required).filter(function (m) { return isFunction(obj, m); });
      var async = has.filter(function (m) { return isAsync(obj, m); });
      return { instance: id, has: has, async: async };
    }

    var clock = G.performance && typeof G.performance.now === "function" ? G.performance : Date;

    function settled(inst, id, args) {
      post({ cb: id, args: args, sync: sync(inst) });
    }

    function call(inst, msg) {
      if (!inst) return { threw: { name: "Error", message: "no such instance", error: true } };
      var settle = null; // {settle, how}: the outcome goes to that callback, not the arguments
      var given = msg.args;
      var last = given.length ? given[given.length - 1] : null;
      if (last && last.settle !== undefined) {
        settle = last;
        given = given.slice(0, -1);
      }
      var args = given.map(function (a) {
        if (a.callback !== undefined) return callbackFor(inst, a.callback);
        if (a.opt !== undefined && a.value !== null && typeof a.value === "object") {
          inst.options.set(a.opt, { obj: a.value, last: JSON.stringify(encode(a.value, [])) });
        }
        return a.value;
      });
      var threw = null;
      var gave = null; // a Promise returned: the SDK is callback-based, it may never call back
      var began = clock.now();
      var found = lookup(inst.obj, msg.method);
      var value;
      var failed = false;
      var failure;
      try {
        if (typeof found.fn !== "function") throw new TypeError(msg.method + " is not a function");
        value = found.fn.apply(found.self, args);
      } catch (err) {
        failed = true;
        failure = err;
      }
      var took = clock.now() - began;
      if (settle === null) {
        if (failed) threw = thrownInfo(failure);
        else if (isThenable(value)) {
          gave = "a Promise";
          try {
            value.then(null, function () {}); // its rejection is not an uncaught error of ours
          } catch (err) {
            // a thenable whose then throws: nothing is awaited anyway
          }
        }
      } else if (settle.how === "return") {
        settled(inst, settle.settle, failed
          ? [{ undefined: true }, failureArg(failure, "thrown")]
          : [encodeArg(value), { undefined: true }]);
      } else if (failed) {
        threw = thrownInfo(failure);
      } else {
        var id = settle.settle;
        var outcome;
        try {
          outcome = Promise.resolve(value); // a thenable is followed, a plain value resolves
        } catch (err) {
          outcome = Promise.reject(err); // a hostile thenable
        }
        outcome.then(
          function (response) { settled(inst, id, [encodeArg(response), { undefined: true }]); },
          function (reason) { settled(inst, id, [{ undefined: true }, failureArg(reason, "rejected")]); }
        );
      }
      return { threw: threw, gave: gave, took: took, sync: sync(inst) };
    }

    function calls(msg) {
      var inst = instances.get(msg.instance);
      return { replies: msg.calls.map(function (one) { return call(inst, one); }) };
    }

    return {
      handle: async function (msg, required) {
        if (msg.op === "new") return build(msg, required);
        if (msg.op === "calls") return calls(msg);
        if (msg.op === "drop") instances.delete(msg.instance);
        return null;
      },
    };
  }

  G.__kustomerContractHost = { createHost: createHost, encode: encode, MARK: MARK };
})(globalThis);
