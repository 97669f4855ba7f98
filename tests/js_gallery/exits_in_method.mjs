// expect: the call reports node exiting with code 3
// describeCustomer ends the whole process.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer() {
      console.error("fatal: describeCustomer gives up");
      process.exit(3);
    },
  };
}
