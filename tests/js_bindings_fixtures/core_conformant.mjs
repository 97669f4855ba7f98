// keeps every guarantee under --binding core (as examples/core-double/core.mjs does)
import { createCore } from "./core_common.mjs";

globalThis.KustomerCore = createCore();
