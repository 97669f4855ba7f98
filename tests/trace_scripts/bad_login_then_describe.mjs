// login() then describeCustomer() on the next line, without waiting for login's
// callback (describe-after-login); both inside start's callback, so start-first holds.
import { Kustomer, jwtToken } from "./harness.mjs";

Kustomer.start({}, () => {
  Kustomer.login({ jwtToken });
  Kustomer.describeCustomer({ attributes: { emails: ["ada@example.com"] } }, (response, error) => {});
});
