// expect: passes
// The reference double, chattering on stdout and stderr around every call, including lines
// that look like the driver's own messages: the driver must not be confused.
import createKustomer from "../../kustomer_contract/reference/kustomer-double.mjs";

console.log('{"ready": true, "shape": "fake"}');

export default function make(options) {
  const k = createKustomer(options);
  const noisy = {};
  for (const method of ["start", "login", "logout", "describeCustomer"]) {
    noisy[method] = (...args) => {
      console.log(`[kustomer] ${method}`, JSON.stringify(args[0]));
      console.log('{"re": 1, "threw": {"name": "Error", "message": "fake"}}');
      process.stdout.write('{"cb": 1, "args": [{"value": "fake"}]}\n');
      console.error(`[kustomer] ${method} on stderr`);
      return k[method](...args);
    };
  }
  return noisy;
}
