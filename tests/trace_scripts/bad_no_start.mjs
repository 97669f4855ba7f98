// describeCustomer with no start anywhere in the page (start-first).
import { Kustomer, jwtToken } from "./harness.mjs";

Kustomer.describeCustomer({ attributes: { emails: ["ada@example.com"] } }, (response, error) => {});
