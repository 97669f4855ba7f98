// breaks: callback-once
// describeCustomer with attributes applies the update but never calls the callback.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer(o, cb) {
      const silent = o && typeof o === "object" && o.attributes !== undefined;
      k.describeCustomer(o, silent ? undefined : cb);
    },
  };
}
