// breaks: callback-once
// describeCustomer blocks for 300 ms before returning, and calls back 300 ms after that:
// 0.6 s for the call, over a 0.5 s timeout that bounds returning and calling back together
// (the checks of this gallery read the timeout below; one timeout each would let it pass).
// timeout: 0.5
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer(o, cb) {
      const end = Date.now() + 300;
      while (Date.now() < end) {} // a synchronous "encryption" step
      k.describeCustomer(o, cb && ((...args) => setTimeout(() => cb(...args), 300)));
    },
  };
}
