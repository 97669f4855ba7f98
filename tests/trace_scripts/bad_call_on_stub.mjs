// The page calls describeCustomer while window.Kustomer is still the loader's stub (only
// `start`): the call throws a TypeError in the page and never reaches the SDK. The recorder
// sees the lookup of the missing method (start-first). Prints "ok" when the page saw the
// TypeError, as a real page would.
//
//   node bad_call_on_stub.mjs OUT.jsonl [RECORDER.js]
import { sink } from "./recording.mjs";

globalThis.window = globalThis;
KustomerRecorder.install(sink);

const queue = [];
globalThis.Kustomer = { start: (options, callback) => queue.push([options, callback]) };

Kustomer.start({}, () => {});
let threw = null;
try {
  Kustomer.describeCustomer({ attributes: { emails: ["ada@example.com"] } }, () => {});
} catch (err) {
  threw = err;
}
Kustomer.describeCustomer; // looked up again: recorded once only

setTimeout(() => {
  window.Kustomer = {
    start: (options, callback) => setTimeout(() => callback({ started: true }), 1),
    describeCustomer: (options, callback) => setTimeout(() => callback({ customerId: "c1" }), 1),
  };
  for (const [options, callback] of queue) Kustomer.start(options, callback);
}, 5);
await new Promise((resolve) => setTimeout(resolve, 30));
console.log(threw instanceof TypeError ? "ok" : `no TypeError: ${threw}`);
