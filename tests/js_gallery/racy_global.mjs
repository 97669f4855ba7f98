// breaks: no-lost-update
// Standalone (no import of the reference), browser style: sets globalThis.Kustomer.
// describeCustomer reads the customer when it is called and writes "what it read + the update"
// back when its request completes 0-3 ms later. Two describes in flight both start from the same
// snapshot and the one that lands last overwrites the other's values (read-modify-write race).
// racyKustomer(schedule) builds one such SDK whose requests complete when `schedule` says.

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
export function racyKustomer(schedule) {
  let started = false;
  const snapshots = {};
  const logins = {};
  let next = 0;
  const fresh = () => {
    const id = `c${Date.now().toString(16)}${(next += 1)}`;
    snapshots[id] = { emails: [], phones: [], socials: [], custom: {} };
    return id;
  };
  let current = fresh();
  const later = (work, cb) =>
    schedule(() => {
      const [r, e] = work();
      if (typeof cb === "function") e ? cb(undefined, e) : cb(r);
    });

  return {
    start(options, cb) {
      later(() => ((started = true), [{ started: true }]), typeof options === "function" ? options : cb);
    },
    login(options, cb) {
      const was = started;
      later(() => {
        if (!was) return [undefined, new Error("call login in start's callback")];
        const token = options && options.jwtToken;
        if (typeof token !== "string" || !token) return [undefined, new Error("login needs a jwtToken")];
        current = logins[token] ??= fresh();
        return [{ customerId: current }];
      }, cb);
    },
    logout(cb) {
      const was = started;
      later(() => (was ? ((current = fresh()), [{}]) : [undefined, new Error("not started")]), cb);
    },
    describeCustomer(options, cb) {
      const was = started;
      const why = problem(options);
      const id = current;
      const snapshot = snapshots[id]; // read now...
      const update = why ? null : structuredClone(options);
      later(() => {
        if (!was) return [undefined, new Error("Kustomer.start() has not finished")];
        if (why) return [undefined, new Error(why)];
        const out = structuredClone(snapshot);
        for (const field of ["emails", "phones", "socials"]) {
          const seen = new Set(out[field].map(keyOf[field]));
          for (const v of update.attributes?.[field] ?? []) {
            if (!seen.has(keyOf[field](v))) (seen.add(keyOf[field](v)), out[field].push(v));
          }
        }
        Object.assign(out.custom, update.customAttributes ?? {});
        if (JSON.stringify(out) !== JSON.stringify(snapshot)) snapshots[id] = out; // ...write later
        return [{ customerId: id, ...structuredClone(out) }];
      }, cb);
    },
  };
}

globalThis.Kustomer = racyKustomer((complete) => setTimeout(complete, Math.floor(Math.random() * 4)));
