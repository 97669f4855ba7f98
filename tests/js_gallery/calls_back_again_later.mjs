// breaks: callback-once
// describeCustomer calls its callback again 300 ms later (a "sync confirmed" event).
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer(o, cb) {
      k.describeCustomer(o, cb && ((...args) => {
        cb(...args);
        setTimeout(() => cb(...args), 300);
      }));
    },
  };
}
