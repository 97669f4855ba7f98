// A core.js integration: KustomerRecorder.install(sink) before the loader, which defines
// window.KustomerCore (the headless SDK: init in place of start). The page calls init and
// describes inside init's callback (good under --binding core). With "bad" as the third
// argument it then also calls KustomerCore.start, which core does not have: a TypeError in the
// page, recorded as a lookup that found nothing. Prints "ok" when the page saw what it should.
//
//   node core_init_first.mjs OUT.jsonl RECORDER.js [bad]
import { sink } from "./recording.mjs";

globalThis.window = globalThis;
KustomerRecorder.install(sink);
const bad = process.argv[4] === "bad";

window.KustomerCore = {
  init(options, callback) {
    setTimeout(() => callback({ started: true }, undefined), 5);
  },
  describeCustomer(options, callback) {
    setTimeout(() => callback({ customerId: "c1", emails: [], phones: [], socials: [] }, undefined), 1);
  },
};

let threw = null;
await new Promise((resolve) => {
  KustomerCore.init({ brandId: "b1" }, () => {
    KustomerCore.describeCustomer({ attributes: { emails: ["ada@example.com"] } }, () => resolve());
  });
  if (bad) {
    try {
      KustomerCore.start({}, () => {});
    } catch (err) {
      threw = err;
    }
  }
});
console.log(!bad || threw instanceof TypeError ? "ok" : `no TypeError: ${threw}`);
