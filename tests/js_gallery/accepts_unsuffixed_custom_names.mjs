// breaks: rejects-unknown-custom
// Custom attributes without a type suffix (some_custom_attribute) are silently dropped and the
// call succeeds, where it must fail.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

const NAME = /^[A-Za-z][A-Za-z0-9]*(?:Str|Txt|Num|Bool|At|Url)$/;

export default function make(options) {
  const k = createKustomer(options);
  return {
    ...k,
    describeCustomer(o, cb) {
      const custom = o && o.customAttributes;
      if (custom && typeof custom === "object" && !Array.isArray(custom)) {
        const kept = Object.fromEntries(Object.entries(custom).filter(([name]) => NAME.test(name)));
        o = { ...o, customAttributes: kept };
      }
      k.describeCustomer(o, cb);
    },
  };
}
