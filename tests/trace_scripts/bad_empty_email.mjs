// emails: [''] from missing user data (valid-options), in the right order otherwise.
import { Kustomer, jwtToken } from "./harness.mjs";

const user = { email: "" };
Kustomer.start({}, () => {
  Kustomer.describeCustomer({ attributes: { emails: [user.email] } }, (response, error) => {});
});
