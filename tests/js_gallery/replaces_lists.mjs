// breaks: keeps-earlier-data
// Each describeCustomer replaces the customer's emails, phones and socials with the given lists
// (what was described earlier is gone) instead of appending to them.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  const shown = new Map(); // customerId -> {emails, phones, socials} as last given
  return {
    ...k,
    describeCustomer(o, cb) {
      const given = (o && o.attributes) || {};
      k.describeCustomer(o, (response, error) => {
        if (response) {
          const last = shown.get(response.customerId) || { emails: [], phones: [], socials: [] };
          for (const field of ["emails", "phones", "socials"]) {
            if (given[field] !== undefined) last[field] = structuredClone(given[field]);
            response[field] = structuredClone(last[field]);
          }
          shown.set(response.customerId, last);
        }
        if (cb) error ? cb(undefined, error) : cb(response);
      });
    },
  };
}
