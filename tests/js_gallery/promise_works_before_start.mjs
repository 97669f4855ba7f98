// breaks under --binding promise: not-before-start
// Calls made before start's Promise resolved are not refused: the SDK quietly starts itself
// and resolves them as if start had finished. Caught by not-before-start.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

function ask(k, method, ...args) {
  return new Promise((resolve, reject) =>
    k[method](...args, (response, error) => (error ? reject(error) : resolve(response))));
}

export default function make(options) {
  const k = createKustomer(options);
  let starting = null;
  const started = () => (starting = starting || ask(k, "start", {}));
  return {
    start: () => started(),
    login: (o) => started().then(() => ask(k, "login", o)),
    logout: () => started().then(() => ask(k, "logout")),
    describeCustomer: (o) => started().then(() => ask(k, "describeCustomer", o)),
  };
}
