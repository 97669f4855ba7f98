// The part of the JavaScript drivers that lives beside the implementation, in Node
// (node_driver.mjs) and in a page (the browser driver injects this source before the page's
// scripts). A classic script with no imports: it defines globalThis.__kustomerContractHost.
//
//   const host = __kustomerContractHost.createHost(post, fresh, shape);
//   reply = await host.handle(request, requiredMethods);
//
// post(message) sends a message that is not a reply (a callback); fresh(klass, klasses, spec) gives a
// new SDK object (may return a promise); shape() names where it came from, for messages.
// Requests and replies:
//
// {op: "new", klass: [names] | null, klasses: {name: [names]} | null, spec: "v1" | "v2" | ..., methods: [...]}
//     -> {instance, has: [methods it has]} | {error}
// {op: "calls", instance, calls: [{method, args: [{value, opt} | {callback}]}]}
//     -> {replies: [{threw: null | {name, message, error}, gave: null | "a Promise", took, sync}]}
//     The calls run one after the other in this one turn of the event loop, so no callback
//     can come between them: calls meant to be in flight together are. `took` is the
//     milliseconds a call took to return.
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
      var missing = required.filter(function (m) { return typeof obj[m] !== "function"; });
      if (missing.length) {
        return { error: "the object (" + shape() + ") lacks the SDK method(s) " + missing.join(", ") };
      }
      var id = nextInstance++;
      instances.set(id, { obj: obj, options: new Map() });
      var has = (msg.methods || required).filter(function (m) { return typeof obj[m] === "function"; });
      return { instance: id, has: has };
    }

    var clock = G.performance && typeof G.performance.now === "function" ? G.performance : Date;

    function call(inst, msg) {
      if (!inst) return { threw: { name: "Error", message: "no such instance", error: true } };
      var args = msg.args.map(function (a) {
        if (a.callback !== undefined) return callbackFor(inst, a.callback);
        if (a.opt !== undefined && a.value !== null && typeof a.value === "object") {
          inst.options.set(a.opt, { obj: a.value, last: JSON.stringify(encode(a.value, [])) });
        }
        return a.value;
      });
      var threw = null;
      var gave = null; // a Promise returned: the SDK is callback-based, it may never call back
      var began = clock.now();
      try {
        var value = inst.obj[msg.method].apply(inst.obj, args);
        if (value !== null && (typeof value === "object" || typeof value === "function") &&
            typeof value.then === "function") {
          gave = "a Promise";
          value.then(null, function () {}); // its rejection is not an uncaught error of ours
        }
      } catch (err) {
        threw = thrownInfo(err);
      }
      var took = clock.now() - began;
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
