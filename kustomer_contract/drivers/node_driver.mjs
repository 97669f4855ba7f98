// The Node side of kustomer_contract.drivers.node: loads one JavaScript implementation and
// runs the SDK calls the Python runner asks for. Needs nothing but Node (18+).
//
//   node node_driver.mjs <message fd> <module path> <JSON list of the required methods> [<object>]
//
// <object> is the global the binding names (Kustomer unless given: KustomerCore for core.js);
// the required methods are the binding's names for them, dotted paths allowed (chat.logIn).
//
// Requests come as JSON Lines on stdin; replies and callbacks go as JSON Lines to the message
// file descriptor (a pipe the Python side passed), never to stdout, so console.log in the
// implementation cannot confuse the protocol. Requests are handled one at a time, in order;
// each method call runs synchronously, so a method that never returns blocks this process
// (the Python side notices by timeout and kills it).
//
// Requests, replies and callbacks are those of js_host.cjs (which also runs them), each request
// with an `id` that its reply carries back as `re`. Once, after loading, the driver sends
// {ready: true, shape} or {fatal: message}.
// A Promise a method returns for a settle argument ({settle, how: "promise"}) is awaited by the
// host while later requests are served; its outcome comes as a callback message when it
// settles (before or after the call's reply).

import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { pathToFileURL } from "node:url";
import "./js_host.cjs"; // globalThis.__kustomerContractHost: instances, calls, values to JSON

const OUT = Number(process.argv[2]);
const MODULE = path.resolve(process.argv[3]);
const URL_ = pathToFileURL(MODULE).href;
const OBJECT = process.argv[5] || "Kustomer"; // the global the binding names

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

// A browser-style module writes window.Kustomer (window.<object>); errors thrown later by the
// implementation (in its timers) are logged as a browser would, without ending the run.
if (globalThis.window === undefined) globalThis.window = globalThis;
process.on("uncaughtException", (err) => {
  process.stderr.write(`uncaught exception in the implementation: ${(err && err.stack) || err}\n`);
});
process.on("unhandledRejection", (err) => {
  process.stderr.write(`unhandled rejection in the implementation: ${(err && err.stack) || err}\n`);
});

// --- the implementation -----------------------------------------------------------------------

let shape = null;
let main = null; // the default export, when it is one
let first = null; // the first import's object, handed to instance 1 for the re-import shapes
let imports = 0;

function isClass(f) {
  return /^class[\s{]/.test(Function.prototype.toString.call(f));
}

async function load() {
  delete globalThis[OBJECT];
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
  } else if (globalThis[OBJECT] !== undefined && globalThis[OBJECT] !== null) {
    shape = `globalThis.${OBJECT}`;
    first = globalThis[OBJECT];
  } else {
    throw new Error(
      `the module has no default export and does not set globalThis.${OBJECT} ` +
        "(export default an object with the SDK's methods or a factory of one)",
    );
  }
}

// A factory is told the Klass and the spec's version when either matters (a v1 double can
// ignore both; one that knows v2 accepts its keys).
async function freshObject(klass, klasses, spec) {
  const args = klass || (spec && spec !== "v1") ? [{ klass, klasses: klasses || {}, spec }] : [];
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
  delete globalThis[OBJECT];
  const mod = await import(`${URL_}?instance=${imports}`); // a fresh module: no shared state
  return shape === "default export object" ? mod.default : globalThis[OBJECT];
}

const host = globalThis.__kustomerContractHost.createHost(post, freshObject, () => shape);

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
    queue = queue
      .then(() => host.handle(msg, methods))
      .then((reply) => reply && post({ re: msg.id, ...reply }))
      .catch((err) => process.stderr.write(`driver error: ${(err && err.stack) || err}\n`));
  });
  lines.on("close", () => process.exit(0));
}

run();
