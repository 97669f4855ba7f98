// Shared by the misuse scripts: a small fake SDK (start and login call back after 5 ms,
// describeCustomer after 1 ms), wrapped by the recorder (loaded by recording.mjs).
//
// node SCRIPT OUT.jsonl [RECORDER.js]: the trace goes to OUT.jsonl, one record a line.
import { sink } from "./recording.mjs";

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
