// breaks under --binding core: reflects-input
// KustomerCore (core.js's global, started with init) whose describeCustomer loses emails[1]:
// the response lacks it. The reproducers must speak core: KustomerCore.init, not Kustomer.start.
import { createCore } from "./core_common.mjs";

globalThis.KustomerCore = createCore({ dropSecondEmail: true });
