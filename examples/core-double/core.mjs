// A double of KustomerCore (core.js), the headless variant of Kustomer's Web SDK that chat
// hand-off integrations load: the SDK is globalThis.KustomerCore (window.KustomerCore in a
// page), started with KustomerCore.init(options, callback) instead of Kustomer.start; login,
// logout and describeCustomer are the Web SDK's, each with a node-style callback
// (response, error).
//
//   KustomerCore.init({}, () =>
//     KustomerCore.login({ jwtToken }, () =>
//       KustomerCore.describeCustomer({ attributes: { emails: ["a@example.com"] } },
//         (response, error) => console.log(response, error))));
//
// The customer store and the validation are the toolkit's reference double
// (kustomer_contract/reference/kustomer-double.mjs): this file only gives it core.js's face.
// It sets the global and exports nothing, as the real script does; the checker imports it
// afresh for every case, so every case gets a new KustomerCore.
import { createKustomer } from "../../kustomer_contract/reference/kustomer-double.mjs";

function createKustomerCore() {
  const sdk = createKustomer();
  return {
    init(options, callback) {
      sdk.start(options, callback);
    },
    login: (options, callback) => sdk.login(options, callback),
    logout: (callback) => sdk.logout(callback),
    describeCustomer: (options, callback) => sdk.describeCustomer(options, callback),
    describeConversation: (options, callback) => sdk.describeConversation(options, callback),
  };
}

globalThis.KustomerCore = createKustomerCore();
