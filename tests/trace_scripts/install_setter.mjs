// KustomerRecorder.install(sink) records a whole page flow across the loader's replacement of
// globalThis.Kustomer: first a stub with only `start` (which queues), then the full SDK, which
// the loader assigns later and hands the queued start to. The page's calls, before and after
// the replacement, all land in one trace; the flow is the documented good one (exit 0 from
// `trace`). Prints "ok" and exits 0, or prints what went wrong and exits 1.
//
//   node install_setter.mjs OUT.jsonl [RECORDER.js]
import fs from "node:fs";
import { sink, tracePath as out } from "./recording.mjs";

const problems = [];
const check = (ok, what) => {
  if (!ok) problems.push(what);
};

globalThis.window = globalThis; // as in a browser
KustomerRecorder.install(sink); // before the loader, as a page would
check(globalThis.Kustomer === undefined, "Kustomer is defined before the loader ran");

// The loader: a stub with only `start`, which queues until the SDK has loaded.
const queue = [];
globalThis.Kustomer = {
  start(options, callback) {
    queue.push([options, callback]);
  },
};
check(!("describeCustomer" in Kustomer), "the stub grew a describeCustomer"); // "in": not a lookup

// The full SDK, loaded 10 ms later; its start and login call back after 5 ms.
function makeKustomer() {
  let started = false;
  return {
    start(options, callback) {
      setTimeout(() => {
        started = true;
        callback({ started: true }, undefined);
      }, 5);
    },
    login(options, callback) {
      setTimeout(() => callback({ identified: true, customerId: "c1" }, undefined), 5);
    },
    describeCustomer(options, callback) {
      setTimeout(() => callback(started ? { customerId: "c1", emails: [], phones: [], socials: [] } : undefined), 1);
    },
  };
}
let full = null;
setTimeout(() => {
  full = makeKustomer();
  window.Kustomer = full;
  for (const [options, callback] of queue) full.start(options, callback);
}, 10);

// The page.
const done = new Promise((resolve) => {
  Kustomer.start({ brandId: "b1" }, () => {
    check(Kustomer !== full && typeof Kustomer.login === "function", "Kustomer is not the wrapped full SDK");
    Kustomer.login({ jwtToken: "eyJhbGciOiJIUzI1NiJ9.e30.c2ln" }, () => {
      Kustomer.describeCustomer({ attributes: { emails: ["ada@example.com"] } }, (response) => {
        check(response && response.customerId === "c1", "describe's response changed");
        resolve();
      });
    });
  });
});
await done;

// Assigning the wrapped object back (window.Kustomer = window.Kustomer) must not wrap twice.
globalThis.Kustomer = globalThis.Kustomer;
Kustomer.describeCustomer({}, () => {});

const records = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const calls = records.filter((r) => r.event === "call").map((r) => r.method);
check(
  JSON.stringify(calls) === JSON.stringify(["start", "login", "describeCustomer", "describeCustomer"]),
  `calls recorded: ${JSON.stringify(calls)}`,
);
const startCallback = records.find((r) => r.event === "callback" && r.method === "start");
check(startCallback && startCallback.call === 1, "start's callback (run by the full SDK) is not tied to the stub's start call");
check(new Set(records.map((r) => r.seq)).size === records.length, "seq repeats across the replacement");

if (problems.length) {
  console.log(problems.join("\n"));
  process.exit(1);
}
console.log("ok");
