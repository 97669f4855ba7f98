// Documented good pattern: login inside start's callback, describe inside login's callback.
import { Kustomer, jwtToken } from "./harness.mjs";

Kustomer.start({}, () => {
  Kustomer.login({ jwtToken }, (response, error) => {
    if (error) return;
    Kustomer.describeCustomer({ attributes: { phones: ["+1 555 555 5555"] } }, () => {});
    Kustomer.describeCustomer({ customAttributes: { vipBool: true } });
  });
});
