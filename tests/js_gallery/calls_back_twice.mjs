// breaks: callback-once
// describeCustomer calls its callback again 1 ms later (a retry that forgot it had answered).
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer(o, cb) {
      k.describeCustomer(o, cb && ((...args) => {
        cb(...args);
        setTimeout(() => cb(...args), 1);
      }));
    },
  };
}
