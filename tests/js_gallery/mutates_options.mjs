// breaks: input-untouched
// When its request completes, describeCustomer fills in missing keys of the caller's options
// object ({} becomes {attributes: {}, customAttributes: {}}).
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer(o, cb) {
      k.describeCustomer(o, (...args) => {
        if (o && typeof o === "object" && !Array.isArray(o)) {
          o.attributes ??= {};
          o.customAttributes ??= {};
        }
        if (cb) cb(...args);
      });
    },
  };
}
