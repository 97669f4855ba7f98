// expect: hung
// describeCustomer never returns: an infinite loop blocks the whole node process.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer() {
      for (;;) {
        // spin
      }
    },
  };
}
