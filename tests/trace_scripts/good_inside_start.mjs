// Documented good pattern: every call inside start's callback.
import { Kustomer, jwtToken } from "./harness.mjs";

Kustomer.start({}, () => {
  Kustomer.describeCustomer(
    { attributes: { emails: ["ada@example.com"] }, customAttributes: { favoriteColorStr: "teal" } },
    (response, error) => {
      if (error) console.error(error);
    },
  );
});
