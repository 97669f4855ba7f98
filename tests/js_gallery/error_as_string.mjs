// breaks: error-is-exception
// A failed describeCustomer calls back with the error's message, a string, instead of an Error.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer(o, cb) {
      k.describeCustomer(o, cb && ((response, error) => (error ? cb(undefined, error.message) : cb(response))));
    },
  };
}
