// breaks: accepts-valid
// describeCustomer throws a TypeError synchronously for valid options that carry phones.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer(o, cb) {
      const phones = o && o.attributes && o.attributes.phones;
      if (Array.isArray(phones) && phones.length > 0) {
        throw new TypeError("phone.normalize is not a function");
      }
      k.describeCustomer(o, cb);
    },
  };
}
