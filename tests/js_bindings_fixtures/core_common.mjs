// KustomerCore (core.js) for the core fixtures: init in place of start, node-style callbacks,
// the reference double behind it; `dropSecondEmail` loses emails[1] of every describe.
import { createKustomer } from "../../kustomer_contract/reference/kustomer-double.mjs";

export function createCore({ dropSecondEmail = false } = {}) {
  const sdk = createKustomer();
  const drop = (o) => {
    const emails = o && o.attributes && o.attributes.emails;
    return dropSecondEmail && Array.isArray(emails) && emails.length > 1
      ? { ...o, attributes: { ...o.attributes, emails: emails.filter((_, i) => i !== 1) } }
      : o;
  };
  return {
    init: (options, callback) => sdk.start(options, callback),
    login: (options, callback) => sdk.login(options, callback),
    logout: (callback) => sdk.logout(callback),
    describeCustomer: (options, callback) => sdk.describeCustomer(drop(options), callback),
  };
}
