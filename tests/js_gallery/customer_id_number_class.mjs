// breaks: response-conforms
// Standalone (no import of the reference), a class as the default export (`new` per case).
// Customers are numbered, and the response's customerId is that number, not a string.

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+?[ ().-]*(?:[0-9][ ().-]*){7,15}$/;
const NAME = /^[A-Za-z][A-Za-z0-9]*(Str|Txt|Num|Bool|At|Url)$/;
const AT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const URL_ = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})*$/;
const TYPES = ["facebook", "twitter", "instagram", "linkedin", "pinterest"];
const plain = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function problem(o) {
  if (!plain(o) || Object.keys(o).some((k) => k !== "attributes" && k !== "customAttributes")) return "bad options";
  const a = o.attributes ?? {};
  if (!plain(a) || Object.keys(a).some((k) => !["emails", "phones", "socials"].includes(k))) return "bad attributes";
  if (Object.values(a).some((v) => !Array.isArray(v))) return "lists expected";
  if ((a.emails ?? []).some((e) => typeof e !== "string" || e.length > 254 || !EMAIL.test(e))) return "bad email";
  if ((a.phones ?? []).some((p) => typeof p !== "string" || !PHONE.test(p))) return "bad phone";
  for (const s of a.socials ?? []) {
    if (!plain(s) || Object.keys(s).sort().join() !== "type,username") return "bad social";
    if (typeof s.username !== "string" || !s.username || !TYPES.includes(s.type)) return "bad social";
  }
  const c = o.customAttributes ?? {};
  if (!plain(c)) return "bad customAttributes";
  for (const [name, v] of Object.entries(c)) {
    const m = NAME.exec(name);
    if (!m) return `unknown custom attribute ${name}`;
    if (v === null) continue;
    const kind = m[1];
    if ((kind === "Str" || kind === "Txt") && (typeof v !== "string" || v.length > 1024)) return `bad ${name}`;
    if (kind === "Num" && typeof v !== "number") return `bad ${name}`;
    if (kind === "Bool" && typeof v !== "boolean") return `bad ${name}`;
    if (kind === "At" && (typeof v !== "string" || !AT.test(v) || Number.isNaN(Date.parse(v.toUpperCase())))) return `bad ${name}`;
    if (kind === "Url" && (typeof v !== "string" || !URL_.test(v))) return `bad ${name}`;
  }
  return null;
}

const keyOf = {
  emails: (e) => e.toLowerCase(),
  phones: (p) => p.replace(/\D/g, ""),
  socials: (s) => `${s.type}:${s.username.toLowerCase()}`,
};

export default class NumberedKustomer {
  constructor() {
    this.started = false;
    this.customers = new Map();
    this.logins = new Map();
    this.current = this.fresh();
  }

  fresh() {
    const id = this.customers.size + 1;
    this.customers.set(id, { emails: [], phones: [], socials: [], custom: {} });
    return id;
  }

  later(work, cb) {
    setTimeout(() => {
      const [r, e] = work();
      if (typeof cb === "function") e ? cb(undefined, e) : cb(r);
    }, Math.floor(Math.random() * 2));
  }

  start(options, cb) {
    this.later(() => ((this.started = true), [{ started: true }]), typeof options === "function" ? options : cb);
  }

  login(options, cb) {
    const was = this.started;
    this.later(() => {
      if (!was) return [undefined, new Error("call login in start's callback")];
      const token = options && options.jwtToken;
      if (typeof token !== "string" || !token) return [undefined, new Error("login needs a jwtToken")];
      if (!this.logins.has(token)) this.logins.set(token, this.fresh());
      this.current = this.logins.get(token);
      return [{ customerId: this.current }];
    }, cb);
  }

  logout(cb) {
    const was = this.started;
    this.later(() => (was ? ((this.current = this.fresh()), [{}]) : [undefined, new Error("not started")]), cb);
  }

  describeCustomer(options, cb) {
    const was = this.started;
    const why = problem(options);
    const id = this.current;
    const update = why ? null : structuredClone(options);
    this.later(() => {
      if (!was) return [undefined, new Error("Kustomer.start() has not finished")];
      if (why) return [undefined, new Error(why)];
      const c = this.customers.get(id);
      for (const field of ["emails", "phones", "socials"]) {
        const seen = new Set(c[field].map(keyOf[field]));
        for (const v of update.attributes?.[field] ?? []) {
          if (!seen.has(keyOf[field](v))) (seen.add(keyOf[field](v)), c[field].push(v));
        }
      }
      Object.assign(c.custom, update.customAttributes ?? {});
      return [{ customerId: id, ...structuredClone(c) }];
    }, cb);
  }
}
