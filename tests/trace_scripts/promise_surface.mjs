// The promise surface: each method returns a Promise and takes no callback. The page awaits
// start before describing (good under --binding promise); with "bad" it describes without
// awaiting start. The recorder hands the page promises that settle the same way, and records
// their settling (a rejection too: logout rejects). Prints "ok" when the page got what the SDK resolved with.
//
//   node promise_surface.mjs OUT.jsonl RECORDER.js [bad]
import { sink } from "./recording.mjs";

globalThis.window = globalThis;
KustomerRecorder.install(sink);
const later = (value, ms) => new Promise((resolve) => setTimeout(() => resolve(value), ms));
window.Kustomer = {
  start: (options) => later({ started: true }, 5),
  describeCustomer: (options) => later({ customerId: "c1", emails: [], phones: [], socials: [] }, 1),
  logout: () => Promise.reject(new Error("not signed in")),
};

const problems = [];
if (process.argv[4] === "bad") {
  const started = Kustomer.start({});
  await Kustomer.describeCustomer({ attributes: { emails: ["ada@example.com"] } });
  await started;
} else {
  const started = await Kustomer.start({});
  if (!started || started.started !== true) problems.push(`start resolved with ${JSON.stringify(started)}`);
  const response = await Kustomer.describeCustomer({ attributes: { emails: ["ada@example.com"] } });
  if (!response || response.customerId !== "c1") problems.push("describeCustomer's response changed");
  try {
    await Kustomer.logout();
    problems.push("the rejection was lost");
  } catch (err) {
    if (!(err instanceof Error) || err.message !== "not signed in") problems.push(`rejected with ${err}`);
  }
}
console.log(problems.length ? problems.join("; ") : "ok");
