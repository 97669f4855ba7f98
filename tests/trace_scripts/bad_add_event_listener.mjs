// A real integration's mistake: Kustomer.addEventListener (the SDK has addListener). On the
// SDK it throws a TypeError in the page, recorded as a lookup that found nothing; a test double
// that does have the name records the call itself. Prints "ok" when the page saw the TypeError.
//
//   node bad_add_event_listener.mjs OUT.jsonl RECORDER.js
import { sink } from "./recording.mjs";

globalThis.window = globalThis;
const recording = KustomerRecorder.install(sink);
window.Kustomer = {
  start(options, callback) {
    setTimeout(() => callback({ started: true }, undefined), 2);
  },
  addListener(name, listener) {},
};

let threw = null;
await new Promise((resolve) => {
  Kustomer.start({}, () => {
    Kustomer.addListener("onOpen", () => {});
    try {
      Kustomer.addEventListener("onOpen", () => {});
    } catch (err) {
      threw = err;
    }
    // A test double that does have the name, in the same recording: the call is recorded.
    recording.wrap({ addEventListener() {} }, "Kustomer").addEventListener("onClose", () => {});
    resolve();
  });
});
console.log(threw instanceof TypeError ? "ok" : `no TypeError: ${threw}`);
