// breaks: accepts-valid
// describeCustomer is promise-based (a port of a newer SDK): it resolves a Promise with the
// response and never calls the callback it was given.
// timeout: 0.5
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer(o) {
      return new Promise((resolve, reject) =>
        k.describeCustomer(o, (response, error) => (error ? reject(error) : resolve(response))));
    },
  };
}
