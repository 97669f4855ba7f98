// The JS reference, which also starts a long `sleep` and writes its pid to $KUSTOMER_TEST_MARK:
// ending the check must end it too (it is in the Node driver's process group).
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

let spawned = false;

export default function make(options) {
  if (!spawned) {
    spawned = true;
    const child = spawn("sleep", ["1000"], { stdio: "ignore" });
    writeFileSync(process.env.KUSTOMER_TEST_MARK, String(child.pid));
  }
  return createKustomer(options);
}
