// breaks: reflects-input
// Only the first email and everything after the second reach the customer: emails[1] is lost.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer(o, cb) {
      const emails = o && o.attributes && o.attributes.emails;
      if (Array.isArray(emails) && emails.length > 1) {
        o = { ...o, attributes: { ...o.attributes, emails: emails.filter((_, i) => i !== 1) } };
      }
      k.describeCustomer(o, cb);
    },
  };
}
