// The recorder must not change what the page sees. The same scenario runs against a fresh
// SDK twice, once unwrapped and once through KustomerRecorder.wrap, and every observation
// (return values, callback arguments and `this`, thrown errors, identities) must agree.
// Prints "ok" and exits 0, or prints the differences and exits 1.
//
//   node transparent.mjs OUT.jsonl [RECORDER.js]
import fs from "node:fs";
import { sink, tracePath as out } from "./recording.mjs";

// An SDK whose every observable behaviour the scenario can check.
function makeSdk() {
  const sdk = {
    version: "2.0.0",
    receiver: { name: "callback receiver" },
    returned: { handle: 1 },
    response: { customerId: "c1", emails: [], phones: [], socials: [] },
    failure: new TypeError("describeCustomer needs options"),
    thrown: new RangeError("boom"),
    listeners: new Set(),
    seen: [],
    start(options, callback) {
      sdk.seen.push(["start this is the sdk", this === sdk, "options identical", options === sdk.lastOptions]);
      setTimeout(() => callback.call(sdk.receiver, sdk.response, undefined, "extra"), 5);
      return sdk.returned;
    },
    describeCustomer(options, callback) {
      sdk.seen.push(["describe arity", arguments.length]);
      if (!options) {
        callback(undefined, sdk.failure); // synchronously
        return undefined;
      }
      queueMicrotask(() => {
        try {
          callback(sdk.response);
        } catch (err) {
          sdk.seen.push(["callback threw the page's error", err === sdk.pageError]);
        }
      });
      return 42;
    },
    boom() {
      throw sdk.thrown;
    },
    addListener(name, fn) {
      sdk.listeners.add(fn);
    },
    removeListener(name, fn) {
      sdk.listeners.delete(fn);
    },
    fire() {
      for (const fn of sdk.listeners) fn.call(sdk.receiver, { event: "open" });
    },
  };
  sdk.pageError = new Error("the page's callback failed");
  return sdk;
}

function scenario(K, sdk) {
  const log = [];
  const note = (...what) => log.push(what);
  return new Promise((resolve) => {
    note("version", K.version);
    note("method is stable", K.start === K.start);
    note("missing method", typeof K.openKbArticle);
    note("in", "start" in K, Object.keys(K).length);
    const options = { brandId: "b1" };
    sdk.lastOptions = options;
    const ret = K.start(options, function (response, error, extra) {
      note("start callback this", this === sdk.receiver);
      note("start callback args", arguments.length, response === sdk.response, error, extra);
      const r1 = K.describeCustomer(undefined, (response, error) => {
        note("sync failure", response, error === sdk.failure);
      });
      note("describe returned", r1);
      const r2 = K.describeCustomer({ attributes: { emails: ["a@b.co"] } }, function (response) {
        note("describe callback", response === sdk.response, this === undefined);
        throw sdk.pageError;
      });
      note("describe returned", r2);
      try {
        K.boom(1n, Symbol("s"), { self: null });
        note("boom did not throw");
      } catch (err) {
        note("boom threw the same error", err === sdk.thrown, err.stack === sdk.thrown.stack);
      }
      const listener = function (event) {
        note("listener", this === sdk.receiver, event.event);
      };
      K.addListener("onOpen", listener);
      K.fire();
      K.removeListener("onOpen", listener);
      note("listener removed", sdk.listeners.size);
      K.fire();
      const { boom } = K; // a detached call keeps its `this` too
      try {
        boom.call(undefined);
      } catch (err) {
        note("detached boom", err === sdk.thrown);
      }
      setTimeout(() => resolve(log.concat(sdk.seen)), 10);
    });
    note("start returned the same object", ret === sdk.returned);
  });
}

const plainSdk = makeSdk();
const plain = await scenario(plainSdk, plainSdk);
const wrappedSdk = makeSdk();
const wrapped = await scenario(KustomerRecorder.wrap(wrappedSdk, sink), wrappedSdk);

const problems = [];
const a = JSON.stringify(plain, null, 0);
const b = JSON.stringify(wrapped, null, 0);
if (a !== b) problems.push(`observations differ:\n  plain:   ${a}\n  wrapped: ${b}`);

// The default sink (no sink given) collects the lines in KustomerRecorder.lines.
const before = KustomerRecorder.lines.length;
const K2 = KustomerRecorder.wrap(makeSdk());
K2.boom.length; // reading is not recorded
try {
  K2.boom();
} catch (err) {
  /* expected */
}
const added = KustomerRecorder.lines.slice(before).map((l) => JSON.parse(l));
if (added.length !== 2 || added[0].event !== "call" || added[1].event !== "throw") {
  problems.push(`default sink: ${JSON.stringify(added)}`);
}
if (!KustomerRecorder.dump().endsWith("\n")) problems.push("dump() does not end with a newline");

// A sink that throws is ignored.
const K3 = KustomerRecorder.wrap(makeSdk(), () => {
  throw new Error("sink broke");
});
try {
  K3.boom();
} catch (err) {
  if (err.message !== "boom") problems.push(`a broken sink changed the error: ${err.message}`);
}

// The recorded trace holds the calls, callbacks and throws of the wrapped run.
const records = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const events = records.map((r) => `${r.event}:${r.method}`);
for (const want of ["call:start", "callback:start", "call:describeCustomer", "callback:describeCustomer", "throw:boom", "throw:describeCustomer", "call:addListener", "callback:addListener"]) {
  if (!events.includes(want)) problems.push(`the trace has no ${want}: ${events.join(" ")}`);
}
const big = records.find((r) => r.method === "boom" && r.event === "call");
if (!big || JSON.stringify(big.args) !== JSON.stringify(["1", "[symbol]", { self: null }])) {
  problems.push(`args are not JSON-safe copies: ${JSON.stringify(big && big.args)}`);
}
const failed = records.find((r) => r.event === "callback" && r.error);
if (!failed || failed.error.name !== "TypeError" || failed.error.message !== "describeCustomer needs options") {
  problems.push(`an Error is not recorded as {name, message}: ${JSON.stringify(failed)}`);
}
const undef = records.find((r) => r.event === "call" && r.undefinedArgs);
if (!undef || undef.args[0] !== null || undef.undefinedArgs[0] !== 0) {
  problems.push(`an undefined argument is not recorded as null + undefinedArgs: ${JSON.stringify(undef)}`);
}
for (let i = 1; i < records.length; i++) {
  if (!(records[i].seq > records[i - 1].seq) || !(records[i].t >= records[i - 1].t)) {
    problems.push(`seq / t do not increase at record ${i + 1}`);
  }
}

if (problems.length) {
  console.log(problems.join("\n"));
  process.exit(1);
}
console.log("ok");
