// The recorder as a browser loads it: a classic <script> (not a module), run here in a fresh
// V8 context whose global has `window` pointing at itself. With no sink given, records go to
// KustomerRecorder.lines and console.debug. Prints "ok" and exits 0, or what went wrong and 1.
//
//   node classic_script.mjs OUT.jsonl [RECORDER.js]
import fs from "node:fs";
import vm from "node:vm";

const out = process.argv[2];
const recorder = process.argv[3] || new URL("../../kustomer_contract/callers/recorder/kustomer-recorder.js", import.meta.url);
const source = fs.readFileSync(recorder, "utf8");

const debugged = [];
const context = vm.createContext({ console: { debug: (text) => debugged.push(text) }, setTimeout });
vm.runInContext("var window = this;", context);
vm.runInContext(source, context, { filename: "kustomer-recorder.js" }); // <script src=...>
vm.runInContext(source, context, { filename: "kustomer-recorder.js" }); // loaded twice: harmless
const page = `
  KustomerRecorder.install();
  window.Kustomer = { start: function (options, callback) { callback({}, undefined); } };
  Kustomer.start({}, function () {});
  KustomerRecorder.dump();
`;
const dumped = vm.runInContext(page, context);
fs.writeFileSync(out, dumped);

const problems = [];
const lines = vm.runInContext("KustomerRecorder.lines", context);
if (lines.length !== 2) problems.push(`KustomerRecorder.lines has ${lines.length} lines, not 2`);
if (debugged.length !== 2 || !debugged[0].includes('"event":"call"')) {
  problems.push(`console.debug got ${JSON.stringify(debugged)}`);
}
if (problems.length) {
  console.log(problems.join("\n"));
  process.exit(1);
}
console.log("ok");
