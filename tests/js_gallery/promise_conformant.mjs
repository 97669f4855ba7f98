// keeps every guarantee under --binding promise
// The Web SDK's four names and options without the callback, each an async function whose
// Promise resolves with what the callback would have got as response and rejects with the
// Error (the reference double behind it).
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

// The double's callback API as a promise of its response.
function ask(k, method, ...args) {
  return new Promise((resolve, reject) =>
    k[method](...args, (response, error) => (error ? reject(error) : resolve(response))));
}

export default function make(options) {
  const k = createKustomer(options);
  return {
    async start(o) { return ask(k, "start", o); },
    async login(o) { return ask(k, "login", o); },
    async logout() { return ask(k, "logout"); },
    async describeCustomer(o) { return ask(k, "describeCustomer", o); },
    async describeConversation(o) { return ask(k, "describeConversation", o); },
  };
}
