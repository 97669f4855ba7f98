// breaks under --binding promise: error-is-exception
// A refused call rejects with the error's message (a string), not an Error: `catch (e)` code
// reading e.message gets undefined. Caught by error-is-exception.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

function ask(k, method, ...args) {
  return new Promise((resolve, reject) =>
    k[method](...args, (response, error) => (error ? reject(error.message) : resolve(response))));
}

export default function make(options) {
  const k = createKustomer(options);
  return {
    start: (o) => ask(k, "start", o),
    login: (o) => ask(k, "login", o),
    logout: () => ask(k, "logout"),
    describeCustomer: (o) => ask(k, "describeCustomer", o),
  };
}
