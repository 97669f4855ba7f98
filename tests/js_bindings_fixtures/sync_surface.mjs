// A synchronous surface for returning.yaml's `result: return` (not a conformant SDK: only
// what the reproducers' "return" path is tested with). Each method returns its result or
// throws; nothing works before configure; customer.describeCustomer needs `this` (the
// customer object). Thrown: an Error for a list that is not a list, a string for an unknown
// key, nothing at all (throw undefined) for null options.
const customer = {
  emails: [],
  describeCustomer(options) {
    if (!sdk.configured) throw new Error("configure first");
    if (options === null) throw undefined; // eslint-disable-line no-throw-literal
    if ("nope" in options) throw "no such key: nope"; // eslint-disable-line no-throw-literal
    const emails = (options.attributes && options.attributes.emails) || [];
    if (!Array.isArray(emails)) throw new TypeError("emails is not a list");
    for (const e of emails) if (!this.emails.includes(e)) this.emails.push(e);
    return { customerId: "0123456789abcdef01234567", emails: [...this.emails] };
  },
};

const sdk = {
  configured: false,
  configure(apiKey) {
    this.configured = typeof apiKey === "string" && apiKey.length > 0;
  },
  start() {
    if (!this.configured) throw new Error("configure first");
    return { started: true };
  },
  login: () => ({ identified: true }),
  logout: () => ({ identified: false }),
  customer,
};

globalThis.Kustomer = sdk;
