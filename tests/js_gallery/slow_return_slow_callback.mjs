// breaks: callback-once
// describeCustomer blocks for 600 ms before returning, and calls back 600 ms after that:
// 1.2 s for the call, over a 1 s timeout that bounds returning and calling back together.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer(o, cb) {
      const end = Date.now() + 600;
      while (Date.now() < end) {} // a synchronous "encryption" step
      k.describeCustomer(o, cb && ((...args) => setTimeout(() => cb(...args), 600)));
    },
  };
}
