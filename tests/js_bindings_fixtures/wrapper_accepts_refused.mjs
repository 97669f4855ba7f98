// breaks under --binding tests/js_bindings_fixtures/wrapper.yaml: rejects-invalid
// customer.describeCustomer resolves true whatever the store said: a refused update reads as
// saved. Caught by rejects-invalid.
import { createWrapper } from "./wrapper_common.mjs";

globalThis.KustomerChat = createWrapper({ swallowRefusals: true });
