// breaks under --binding promise: error-is-exception
// A refused call rejects with no reason at all (reject() / Promise.reject(undefined)): a caller's
// `catch (e)` gets undefined. Caught by error-is-exception; the reproducer must show it as an
// error, not as a success with no response.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

function ask(k, method, ...args) {
  return new Promise((resolve, reject) =>
    k[method](...args, (response, error) => (error ? reject() : resolve(response))));
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
