// A JavaScript wrapper in the shape of Kustomer's React Native package
// (@kustomer/chat-react-native): configure the SDK once with the API key, start it, then log
// in with a JWT and out again, each returning a Promise; describing the customer lives on an
// object of its own (KustomerChat.customer) and resolves `true`. Nothing reads the customer
// back: the native side keeps it.
//
//   await KustomerChat.configure(apiKey, {});
//   await KustomerChat.start();
//   await KustomerChat.logIn(jwt);
//   await KustomerChat.customer.describeCustomer({ attributes: { emails: ["a@example.com"] } });
//   await KustomerChat.logOut();
//
// Checked with examples/promise-wrapper/binding.yaml, which tells the checker these names.
import { createNativeModule } from "./native.mjs";

const native = createNativeModule(); // one per import: the driver imports this file per case

const customer = {
  /** Describe the logged-in (or anonymous) customer: resolves true once it is saved. */
  describeCustomer(update) {
    return native.describeCustomer(update);
  },
};

const KustomerChat = {
  configure: (apiKey, options = {}) => native.configure(apiKey, options),
  start: () => native.start(),
  logIn: (jwt) => native.logIn(jwt),
  logOut: () => native.logOut(),
  customer,
};

globalThis.KustomerChat = KustomerChat;
export default KustomerChat;
