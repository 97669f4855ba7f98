// Shared by the trace scripts: loads the recorder (a classic script, for its side effect) and
// opens the trace file.
//
// node SCRIPT OUT.jsonl [RECORDER.js]: the trace goes to OUT.jsonl, one record a line.
import fs from "node:fs";
import { pathToFileURL } from "node:url";

const out = process.argv[2];
const recorder = process.argv[3]
  ? pathToFileURL(process.argv[3]).href
  : new URL("../../kustomer_contract/callers/recorder/kustomer-recorder.js", import.meta.url).href;
await import(recorder);
fs.writeFileSync(out, "");

export const sink = (line) => fs.appendFileSync(out, line + "\n");
export const tracePath = out;
