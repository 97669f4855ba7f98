// start() not awaited: describeCustomer on the next line (start-first).
import { Kustomer, jwtToken } from "./harness.mjs";

Kustomer.start();
Kustomer.describeCustomer({ attributes: { emails: ["ada@example.com"] } }, (response, error) => {});
