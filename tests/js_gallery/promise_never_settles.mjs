// breaks under --binding promise: callback-once
// describeCustomer's Promise never settles: the update is sent (and lands) but the answer is
// dropped, so a caller awaiting it waits for ever. Caught by callback-once (the Promise must
// settle, once).
// timeout: 0.5
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

function ask(k, method, ...args) {
  return new Promise((resolve, reject) =>
    k[method](...args, (response, error) => (error ? reject(error) : resolve(response))));
}

export default function make(options) {
  const k = createKustomer(options);
  return {
    start: (o) => ask(k, "start", o),
    login: (o) => ask(k, "login", o),
    logout: () => ask(k, "logout"),
    describeCustomer(o) {
      k.describeCustomer(o, () => {}); // the answer is lost
      return new Promise(() => {});
    },
  };
}
