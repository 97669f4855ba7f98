// A stand-in for the native side of a React Native chat SDK (what NativeModules.KustomerChat
// is in an app): an in-memory customer store behind an asynchronous, promise-returning API.
// The store is the toolkit's JavaScript reference double, which validates what it is given
// as Kustomer's servers would; this file only puts the native module's face on it.
//
// Each call resolves on a later tick (as a bridge call to native code does), rejects with an
// Error when the SDK is not configured, not started, or the input is refused.
import { createKustomer } from "../../kustomer_contract/reference/kustomer-double.mjs";

export class NativeError extends Error {
  constructor(message) {
    super(message);
    this.name = "KustomerNativeError";
  }
}

/** A fresh native module (one per app launch). */
export function createNativeModule() {
  const store = createKustomer();
  let configured = false;

  // The store's callback API as a promise of its response.
  const ask = (method, ...args) =>
    new Promise((resolve, reject) =>
      store[method](...args, (response, error) => (error ? reject(error) : resolve(response))));

  const configuredFirst = () =>
    configured ? null : new NativeError("KustomerChat.configure(apiKey) has not been called");

  return {
    async configure(apiKey, options) {
      if (typeof apiKey !== "string" || apiKey.length === 0) {
        throw new NativeError("configure needs an API key");
      }
      if (options !== undefined && (options === null || typeof options !== "object")) {
        throw new NativeError("configure's options must be an object");
      }
      configured = true;
    },
    async start() {
      const problem = configuredFirst();
      if (problem) throw problem;
      await ask("start", {});
    },
    async logIn(jwt) {
      const problem = configuredFirst();
      if (problem) throw problem;
      await ask("login", { jwtToken: jwt });
      return true;
    },
    async logOut() {
      const problem = configuredFirst();
      if (problem) throw problem;
      await ask("logout");
    },
    async describeCustomer(update) {
      const problem = configuredFirst();
      if (problem) throw problem;
      await ask("describeCustomer", update); // the native side keeps the customer to itself
      return true;
    },
  };
}
