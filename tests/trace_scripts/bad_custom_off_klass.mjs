// A custom attribute the Klass does not have (klass-attributes with --klass; shoeSizeNum
// is well formed, so only the Klass file can tell).
import { Kustomer, jwtToken } from "./harness.mjs";

Kustomer.start({}, () => {
  Kustomer.describeCustomer(
    { customAttributes: { favoriteColorStr: "teal", shoeSizeNum: 42 } },
    (response, error) => {},
  );
});
