// The Node side of kustomer_contract.drivers.node: loads one JavaScript implementation and
// runs the SDK calls the Python runner asks for. Needs nothing but Node (18+).
//
//   node node_driver.mjs <message fd> <module path> <JSON list of the required methods>
//
// Requests come as JSON Lines on stdin; replies and callbacks go as JSON Lines to the message
// file descriptor (a pipe the Python side passed), never to stdout, so console.log in the
// implementation cannot confuse the protocol. Requests are handled one at a time, in order;
// each method call runs synchronously, so a method that never returns blocks this process
// (the Python side notices by timeout and kills it).
//
// in:  {op: "new", id, klass: [names] | null, klasses: {name: [names]} | null, methods: [...]}
//      {op: "call", id, instance, method, args: [{value, opt} | {callback}]}
//      {op: "drop", instance}
// out: {ready: true, shape} | {fatal: message}                      once, after loading
//      {re: id, instance, has: [methods it has]} | {re: id, error}   for "new"
//      {re: id, threw: null | {name, message, error}, sync}          for "call"
//      {cb: callbackId, args: [{undefined} | {error: {name, message}} | {value}], sync}
// Values that JSON cannot carry (functions, cycles, BigInt, NaN, Dates...) travel as
// {"\u0000js": "what it was"} markers; `sync` maps option ids to the options' current contents
// when the implementation changed them.

import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { pathToFileURL } from "node:url";

const OUT = Number(process.argv[2]);
const MODULE = path.resolve(process.argv[3]);
const URL_ = pathToFileURL(MODULE).href;
const MARK = "\u0000js";

function post(message) {
  const data = Buffer.from(JSON.stringify(message) + "\n", "utf8");
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += fs.writeSync(OUT, data, offset, data.length - offset);
    } catch (err) {
      if (err.code !== "EAGAIN") throw err;
    }
  }
}

// A browser-style module writes window.Kustomer; errors thrown later by the implementation
// (in its timers) are logged as a browser would, without ending the run.
if (globalThis.window === undefined) globalThis.window = globalThis;
process.on("uncaughtException", (err) => {
  process.stderr.write(`uncaught exception in the implementation: ${(err && err.stack) || err}\n`);
});
process.on("unhandledRejection", (err) => {
  process.stderr.write(`unhandled rejection in the implementation: ${(err && err.stack) || err}\n`);
});

// --- values to JSON ---------------------------------------------------------------------------

function isError(v) {
  return v instanceof Error || Object.prototype.toString.call(v) === "[object Error]";
}

function marker(what) {
  return { [MARK]: what };
}

function encode(v, ancestors) {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) ? v : marker(`the number ${v}`);
    case "undefined":
      return marker("undefined");
    case "bigint":
      return marker(`the BigInt ${v}n`);
    case "symbol":
      return marker(String(v));
    case "function":
      return marker(`a function ${v.name || "(anonymous)"}`);
    default:
      break;
  }
  if (v === null) return null;
  if (ancestors.includes(v)) return marker("a cyclic reference (an object that contains itself)");
  if (ancestors.length > 200) return marker("nesting deeper than 200 levels");
  if (isError(v)) return marker(`an Error nested in data: ${v.name}: ${v.message}`);
  ancestors.push(v);
  try {
    if (Array.isArray(v)) {
      const out = [];
      for (let i = 0; i < v.length; i++) {
        out.push(i in v ? encode(v[i], ancestors) : marker("an array hole"));
      }
      return out;
    }
    const tag = Object.prototype.toString.call(v);
    if (tag !== "[object Object]") return marker(`a ${tag.slice(8, -1)} object`);
    const out = {};
    for (const key of Object.keys(v)) {
      const x = v[key];
      if (x === undefined) continue; // as JSON.stringify: an undefined property is absent
      Object.defineProperty(out, key, {
        value: encode(x, ancestors),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  } catch (err) {
    return marker(`an unreadable value (${err && err.message})`);
  } finally {
    ancestors.pop();
  }
}

function encodeArg(v) {
  if (v === undefined) return { undefined: true };
  if (isError(v)) return { error: errorInfo(v) };
  return { value: encode(v, []) };
}

function errorInfo(e) {
  let name = "Error";
  let message = "";
  try {
    name = String(e.name);
    message = String(e.message);
  } catch {
    // a hostile getter: keep the defaults
  }
  return { name, message };
}

function thrownInfo(e) {
  if (isError(e)) return { ...errorInfo(e), error: true };
  let text;
  try {
    text = JSON.stringify(encode(e, []));
  } catch {
    text = String(e);
  }
  return { name: "(not an Error)", message: `throw ${text}`, error: false };
}

// --- the implementation -----------------------------------------------------------------------

let shape = null;
let main = null; // the default export, when it is one
let first = null; // the first import's object, handed to instance 1 for the re-import shapes
let imports = 0;

function isClass(f) {
  return /^class[\s{]/.test(Function.prototype.toString.call(f));
}

async function load() {
  delete globalThis.Kustomer;
  const mod = await import(URL_);
  if (mod.default !== undefined && mod.default !== null) {
    main = mod.default;
    if (typeof main === "function") {
      shape = isClass(main) ? "default export class" : "default export factory";
    } else if (typeof main === "object") {
      shape = "default export object";
      first = main;
    } else {
      throw new Error(`the default export is a ${typeof main}, not an object, factory or class`);
    }
  } else if (globalThis.Kustomer !== undefined && globalThis.Kustomer !== null) {
    shape = "globalThis.Kustomer";
    first = globalThis.Kustomer;
  } else {
    throw new Error(
      "the module has no default export and does not set globalThis.Kustomer " +
        "(export default an object with the SDK's methods or a factory of one)",
    );
  }
}

async function freshObject(klass, klasses) {
  const args = klass ? [{ klass, klasses: klasses || {} }] : [];
  if (shape === "default export class") return new main(...args);
  if (shape === "default export factory") {
    let made = main(...args);
    if (made && typeof made.then === "function") made = await made;
    if ((made === undefined || made === null) && main.prototype) made = new main(...args);
    return made;
  }
  if (first !== null) {
    const obj = first;
    first = null;
    return obj;
  }
  imports += 1;
  delete globalThis.Kustomer;
  const mod = await import(`${URL_}?instance=${imports}`); // a fresh module: no shared state
  return shape === "default export object" ? mod.default : globalThis.Kustomer;
}

// --- instances and calls ----------------------------------------------------------------------

const instances = new Map(); // id -> {obj, options: Map(optId -> {obj, last})}
let nextInstance = 1;

function sync(inst) {
  const changed = {};
  let any = false;
  for (const [id, entry] of inst.options) {
    const now = encode(entry.obj, []);
    const text = JSON.stringify(now);
    if (text !== entry.last) {
      entry.last = text;
      changed[id] = now;
      any = true;
    }
  }
  return any ? changed : null;
}

function callbackFor(inst, id) {
  return function kustomerContractCallback(...args) {
    post({ cb: id, args: args.map(encodeArg), sync: sync(inst) });
  };
}

async function handle(msg, methods) {
  if (msg.op === "new") {
    let obj;
    try {
      obj = await freshObject(msg.klass, msg.klasses);
    } catch (err) {
      post({ re: msg.id, error: `building an instance threw ${(err && err.stack) || err}` });
      return;
    }
    if (obj === null || (typeof obj !== "object" && typeof obj !== "function")) {
      post({ re: msg.id, error: `building an instance (${shape}) gave ${String(obj)}, not an object` });
      return;
    }
    const missing = methods.filter((m) => typeof obj[m] !== "function");
    if (missing.length) {
      post({ re: msg.id, error: `the object (${shape}) lacks the SDK method(s) ${missing.join(", ")}` });
      return;
    }
    const id = nextInstance++;
    instances.set(id, { obj, options: new Map() });
    const has = (msg.methods || methods).filter((m) => typeof obj[m] === "function");
    post({ re: msg.id, instance: id, has });
  } else if (msg.op === "call") {
    const inst = instances.get(msg.instance);
    if (!inst) {
      post({ re: msg.id, threw: { name: "Error", message: "no such instance", error: true } });
      return;
    }
    const args = msg.args.map((a) => {
      if (a.callback !== undefined) return callbackFor(inst, a.callback);
      if (a.opt !== undefined && a.value !== null && typeof a.value === "object") {
        inst.options.set(a.opt, { obj: a.value, last: JSON.stringify(encode(a.value, [])) });
      }
      return a.value;
    });
    let threw = null;
    try {
      inst.obj[msg.method](...args);
    } catch (err) {
      threw = thrownInfo(err);
    }
    post({ re: msg.id, threw, sync: sync(inst) });
  } else if (msg.op === "drop") {
    instances.delete(msg.instance);
  }
}

async function run() {
  const methods = JSON.parse(process.argv[4] || "[]");
  try {
    await load();
  } catch (err) {
    post({ fatal: String((err && err.stack) || err) });
    process.exit(1);
  }
  post({ ready: true, shape });
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    const msg = JSON.parse(line);
    queue = queue.then(() => handle(msg, methods)).catch((err) => {
      process.stderr.write(`driver error: ${(err && err.stack) || err}\n`);
    });
  });
  lines.on("close", () => process.exit(0));
}

run();
