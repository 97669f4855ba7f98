// keeps every guarantee it can show under --binding tests/js_bindings_fixtures/wrapper.yaml
import { createWrapper } from "./wrapper_common.mjs";

globalThis.KustomerChat = createWrapper();
