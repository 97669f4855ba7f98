// breaks under --binding promise: reflects-input
// Only the first email and everything after the second reach the customer: emails[1] is lost,
// and the Promise resolves with a response that lacks it. Caught by reflects-input.
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
      const emails = o && o.attributes && o.attributes.emails;
      if (Array.isArray(emails) && emails.length > 1) {
        o = { ...o, attributes: { ...o.attributes, emails: emails.filter((_, i) => i !== 1) } };
      }
      return ask(k, "describeCustomer", o);
    },
  };
}
