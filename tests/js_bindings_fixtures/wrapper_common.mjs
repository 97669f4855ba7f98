// The wrapper of wrapper_*.mjs (not checked itself): every method returns a Promise, nothing
// works before configure(apiKey) (a binding's setup call), and customer.describeCustomer reads
// its store through `this`, so a caller must call it on KustomerChat.customer.
import { createNativeModule } from "../../examples/promise-wrapper/native.mjs";

export function createWrapper({ swallowRefusals = false } = {}) {
  const native = createNativeModule();
  const customer = {
    native,
    describeCustomer(update) {
      const saved = this.native.describeCustomer(update);
      return swallowRefusals ? saved.catch(() => true) : saved;
    },
  };
  return {
    configure: (apiKey, options = {}) => native.configure(apiKey, options),
    start: () => native.start(),
    logIn: (jwt) => native.logIn(jwt),
    logOut: () => native.logOut(),
    customer,
  };
}
