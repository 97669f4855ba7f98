// The JS reference, which also starts a long `sleep` and adds its pid to $KUSTOMER_TEST_MARK,
// a line per Node process (check's workers each run one): ending the check must end them all
// (each is in its Node driver's process group).
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

let spawned = false;

export default function make(options) {
  if (!spawned) {
    spawned = true;
    const child = spawn("sleep", ["1000"], { stdio: "ignore" });
    appendFileSync(process.env.KUSTOMER_TEST_MARK, `${child.pid}\n`);
  }
  return createKustomer(options);
}
