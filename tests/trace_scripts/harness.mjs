// Shared by the trace scripts: loads the recorder, opens the trace file, builds a small fake
// SDK (start and login call back after 5 ms, describeCustomer after 1 ms) and wraps it.
import fs from "node:fs";
import { pathToFileURL } from "node:url";

// node SCRIPT OUT.jsonl [RECORDER.js]: the trace goes to OUT.jsonl, one record a line.
const out = process.argv[2];
const recorder = process.argv[3]
  ? pathToFileURL(process.argv[3]).href
  : new URL("../../kustomer_contract/recorder/kustomer-recorder.js", import.meta.url).href;
await import(recorder);
fs.writeFileSync(out, "");
const sink = (line) => fs.appendFileSync(out, line + "\n");

// A small fake SDK: start and login call back after 5 ms, describeCustomer after 1 ms.
function makeKustomer() {
  let started = false;
  let customer = { customerId: "c-anon", emails: [], phones: [], socials: [] };
  return {
    start(options, callback) {
      setTimeout(() => {
        started = true;
        if (callback) callback({ started: true }, undefined);
      }, 5);
    },
    login(options, callback) {
      setTimeout(() => {
        customer = { ...customer, customerId: "c-" + options.jwtToken.length };
        if (callback) callback({ identified: true, customerId: customer.customerId }, undefined);
      }, 5);
    },
    describeCustomer(options, callback) {
      setTimeout(() => {
        if (!callback) return;
        if (!started) callback(undefined, new Error("Kustomer has not started"));
        else callback({ ...customer, emails: (options.attributes || {}).emails || [] }, undefined);
      }, 1);
    },
  };
}

export const Kustomer = KustomerRecorder.wrap(makeKustomer(), sink);
export const jwtToken = "eyJhbGciOiJIUzI1NiJ9.eyJleHRlcm5hbElkIjoiNDIiLCJpYXQiOjE3MDAwMDAwMDB9.c2ln";
