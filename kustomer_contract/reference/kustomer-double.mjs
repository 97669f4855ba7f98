// A conformant in-memory double of Kustomer's Web SDK (start, login, logout, describeCustomer,
// describeConversation), written from the contract (v1 keys). No dependencies: runs in Node and in a browser.
//
//   import createKustomer from "kustomer_contract/reference/kustomer-double.mjs";
//   const Kustomer = createKustomer({ klass: ["favoriteColorStr", "loyaltyPointsNum"] });
//   Kustomer.start({}, () => Kustomer.describeCustomer(
//     { attributes: { emails: ["marsha@example.com"] } }, (response, error) => console.log(response)));
//
// In a browser: <script type="module">import createKustomer from "./kustomer-double.mjs";
// window.Kustomer = createKustomer();</script>
//
// Callbacks fire from a timer 0-1 ms later, as the real SDK's would after a request. A call made
// before start's callback has no effect and calls back with an Error. describeCustomer merges at
// completion time: lists append without duplicates (emails case-insensitively, phones by
// digits, socials by type and case-insensitive username), custom attributes per name.

export class KustomerError extends Error {
  constructor(message) {
    super(message);
    this.name = "KustomerError";
  }
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+?[ ().-]*(?:[0-9][ ().-]*){7,15}$/;
const CUSTOM_NAME = /^[A-Za-z][A-Za-z0-9]*(Str|Txt|Num|Bool|At|Url)$/;
const SOCIAL_TYPES = new Set(["facebook", "twitter", "instagram", "linkedin", "pinterest"]);

// RFC 3339 date-time (T and Z in either case); day ranges are checked below.
const DATE_TIME =
  /^(\d{4})-(0[1-9]|1[0-2])-(\d{2})[Tt](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

// An absolute URI as RFC 3986 defines it (scheme ":" hier-part ["?" query] ["#" fragment]),
// the same grammar the Python side checks with rfc3986-validator.
const URI = (() => {
  const hex = "[0-9A-Fa-f]";
  const pct = `%${hex}{2}`;
  const h16 = `${hex}{1,4}`;
  const dec = "(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)";
  const ipv4 = `(?:${dec}\\.){3}${dec}`;
  const ls32 = `(?:${h16}:${h16}|${ipv4})`;
  const ipv6 = [
    `(?:${h16}:){6}${ls32}`,
    `::(?:${h16}:){5}${ls32}`,
    `(?:${h16})?::(?:${h16}:){4}${ls32}`,
    `(?:(?:${h16}:)?${h16})?::(?:${h16}:){3}${ls32}`,
    `(?:(?:${h16}:){0,2}${h16})?::(?:${h16}:){2}${ls32}`,
    `(?:(?:${h16}:){0,3}${h16})?::${h16}:${ls32}`,
    `(?:(?:${h16}:){0,4}${h16})?::${ls32}`,
    `(?:(?:${h16}:){0,5}${h16})?::${h16}`,
    `(?:(?:${h16}:){0,6}${h16})?::`,
  ].join("|");
  const sub = "!$&'()*+,;=";
  const unreserved = "a-zA-Z0-9_.~\\-";
  const userinfo = `(?:(?:[${unreserved}${sub}:]|${pct})*@)?`;
  const ipLiteral = `\\[(?:${ipv6}|v${hex}+\\.[${unreserved}${sub}:]+)\\]`;
  const regName = `(?:[${unreserved}${sub}]|${pct})*`;
  const authority = `${userinfo}(?:${ipLiteral}|${ipv4}|${regName})(?::[0-9]*)?`;
  const pchar = `(?:[${unreserved}${sub}:@]|${pct})`;
  const query = `(?:[${unreserved}${sub}:@/?]|${pct})*`;
  const hier = `(?://${authority}(?:/${pchar}*)*|/(?:${pchar}+(?:/${pchar}*)*)?|${pchar}+(?:/${pchar}*)*|)`;
  return new RegExp(`^[a-zA-Z][a-zA-Z0-9+.-]*:${hier}(?:\\?${query})?(?:#${query})?$`);
})();

function isPlainObject(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isLeap(year) {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function isDateTime(value) {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const days = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return year > 0 && day >= 1 && day <= days;
}

export function isUri(value) {
  return URI.test(value);
}

function customProblem(kind, value) {
  if (value === null) return null;
  switch (kind) {
    case "Str":
    case "Txt":
      if (typeof value !== "string") return "is not a string or null";
      return value.length > 1024 ? "is longer than 1024 characters" : null;
    case "Num":
      return typeof value === "number" && Number.isFinite(value) ? null : "is not a number or null";
    case "Bool":
      return typeof value === "boolean" ? null : "is not true, false or null";
    case "At":
      if (typeof value !== "string") return "is not an RFC 3339 date-time string or null";
      return isDateTime(value) ? null : "is not an RFC 3339 date-time (e.g. 2024-05-01T12:30:00+02:00)";
    case "Url":
      if (typeof value !== "string") return "is not a URI string or null";
      return isUri(value) ? null : "is not an absolute URI (e.g. https://example.com/profile)";
    default:
      return "has an unknown type suffix";
  }
}

function listProblem(list, where, check) {
  if (!Array.isArray(list)) return `${where} is not an array`;
  for (let i = 0; i < list.length; i++) {
    const why = check(list[i]);
    if (why) return `${where}/${i} ${why}`;
  }
  return null;
}

function emailProblem(v) {
  if (typeof v !== "string") return "is not an email address string";
  if (v.length > 254) return "is longer than the 254 characters an email address may have";
  return EMAIL.test(v) ? null : "is not an email address";
}

function phoneProblem(v) {
  if (typeof v !== "string") return "is not a phone number string";
  return PHONE.test(v) ? null : "is not a phone number (7 to 15 digits)";
}

function socialProblem(v) {
  if (!isPlainObject(v)) return "is not a {username, type} object";
  for (const key of Object.keys(v)) {
    if (key !== "username" && key !== "type") return `has the unknown key ${JSON.stringify(key)}`;
  }
  if (!("username" in v) || !("type" in v)) return "needs both username and type";
  if (typeof v.username !== "string" || v.username.length < 1) return "/username is not a non-empty string";
  if (typeof v.type !== "string" || !SOCIAL_TYPES.has(v.type)) return "/type is not a social type";
  return null;
}

// Spec v2 adds shared* keys beside the (deprecated) v1 ones; each feeds the same response list.
const SHARED = { sharedEmails: "emails", sharedPhones: "phones", sharedSocials: "socials" };
const PROBLEMS = { emails: emailProblem, phones: phoneProblem, socials: socialProblem };
const SHARED_PROBLEMS = Object.fromEntries(
  Object.entries(SHARED).map(([key, list]) => [key, PROBLEMS[list]]),
);

/** Why `options` are not valid describeCustomer options (of spec `spec`), or null. */
export function validateOptions(options, klass = null, spec = "v1") {
  if (!isPlainObject(options)) return "options is not an object";
  for (const key of Object.keys(options)) {
    if (key !== "attributes" && key !== "customAttributes") {
      return `describeCustomer takes only 'attributes' and 'customAttributes', not ${JSON.stringify(key)}`;
    }
  }
  if ("attributes" in options) {
    const a = options.attributes;
    if (!isPlainObject(a)) return "/attributes is not an object";
    const allowed = spec === "v2" ? { ...PROBLEMS, ...SHARED_PROBLEMS } : PROBLEMS;
    for (const key of Object.keys(a)) {
      if (!(key in allowed)) {
        const names = Object.keys(allowed).map((k) => `'${k}'`).join(", ");
        return `/attributes takes only ${names}, not ${JSON.stringify(key)}`;
      }
    }
    for (const [key, problem] of Object.entries(allowed)) {
      const why = key in a && listProblem(a[key], `/attributes/${key}`, problem);
      if (why) return why;
    }
  }
  if ("customAttributes" in options) return customAttributesProblem(options.customAttributes, klass);
  return null;
}

/** Why `options` are not valid describeConversation options, or null. */
export function validateConversationOptions(options, klass = null) {
  if (!isPlainObject(options)) return "options is not an object";
  for (const key of Object.keys(options)) {
    if (key !== "conversationId" && key !== "customAttributes") {
      return `describeConversation takes only 'conversationId' and 'customAttributes', not ${JSON.stringify(key)}`;
    }
  }
  if (typeof options.conversationId !== "string" || options.conversationId.length === 0) {
    return "/conversationId must be a non-empty string";
  }
  if (!("customAttributes" in options)) return "describeConversation needs customAttributes";
  return customAttributesProblem(options.customAttributes, klass);
}

function customAttributesProblem(c, klass) {
  if (!isPlainObject(c)) return "/customAttributes is not an object";
  for (const name of Object.keys(c)) {
    const m = CUSTOM_NAME.exec(name);
    if (!m) {
      return `/customAttributes/${name}: ${JSON.stringify(name)} is not a Klass attribute name: it needs a type suffix Str, Txt, Num, Bool, At or Url`;
    }
    if (klass && !klass.has(name)) {
      return `/customAttributes/${name}: ${JSON.stringify(name)} is not an attribute of the Klass`;
    }
    const why = customProblem(m[1], c[name]);
    if (why) return `/customAttributes/${name} ${why}`;
  }
  return null;
}

function loginProblem(options) {
  if (!isPlainObject(options)) return "login options is not an object";
  for (const key of Object.keys(options)) {
    if (key !== "jwtToken") return `login takes only 'jwtToken', not ${JSON.stringify(key)}`;
  }
  if (typeof options.jwtToken !== "string" || options.jwtToken.length < 1) {
    return "login needs a jwtToken (a non-empty string)";
  }
  return null;
}

function copyData(v) {
  if (Array.isArray(v)) return v.map(copyData);
  if (v !== null && typeof v === "object") {
    const out = {};
    for (const key of Object.keys(v)) out[key] = copyData(v[key]);
    return out;
  }
  return v;
}

const KEYS = {
  emails: (e) => e.toLowerCase(),
  phones: (p) => p.replace(/[^0-9]/g, ""),
  socials: (s) => `${s.type}\u0000${s.username.toLowerCase()}`,
};

let counter = 0;

function newId() {
  counter += 1;
  const random = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, "0");
  return `${random}${Date.now().toString(16)}${counter.toString(16).padStart(6, "0")}`.slice(-24);
}

/** A fresh double. `klass`: the custom attribute names the Klass has (others are refused). */
export function createKustomer({ klass = null, klasses = {}, delay = [0, 1], spec = "v1" } = {}) {
  const names = klass ? new Set(klass) : null;
  const conversationNames = klasses && klasses.conversation ? new Set(klasses.conversation) : null;
  const conversations = new Map(); // conversationId -> Map of custom attributes
  const customers = new Map(); // id -> {lists: {emails: Map, ...}, custom: Map}
  const byToken = new Map();
  let started = false;
  let current = null;

  function newCustomer() {
    const id = newId();
    customers.set(id, {
      lists: { emails: new Map(), phones: new Map(), socials: new Map() },
      custom: new Map(),
    });
    return id;
  }

  function later(finish, callback) {
    const ms = delay[0] + Math.round(Math.random() * (delay[1] - delay[0]));
    setTimeout(() => {
      const [response, error] = finish();
      if (typeof callback === "function") {
        if (error) callback(undefined, error);
        else callback(response);
      }
    }, ms);
  }

  function response(id) {
    const c = customers.get(id);
    const custom = {};
    for (const [name, value] of c.custom) custom[name] = copyData(value);
    return {
      customerId: id,
      emails: [...c.lists.emails.values()],
      phones: [...c.lists.phones.values()],
      socials: [...c.lists.socials.values()].map((s) => ({ username: s.username, type: s.type })),
      custom,
    };
  }

  function apply(id, update) {
    const c = customers.get(id);
    const attributes = update.attributes || {};
    for (const [input, field] of Object.entries({ ...SHARED, emails: "emails", phones: "phones", socials: "socials" })) {
      for (const value of attributes[input] || []) {
        const key = KEYS[field](value);
        if (!c.lists[field].has(key)) c.lists[field].set(key, value);
      }
    }
    for (const [name, value] of Object.entries(update.customAttributes || {})) {
      c.custom.set(name, value);
    }
  }

  const notStarted = () => new KustomerError("Kustomer.start() has not finished: call this in start's callback");

  return {
    start(options, callback) {
      if (typeof options === "function" && callback === undefined) callback = options;
      later(() => {
        if (!started) {
          current = newCustomer();
          started = true;
        }
        return [{ started: true }, null];
      }, callback);
    },

    login(options, callback) {
      const wasStarted = started;
      const problem = loginProblem(options);
      const token = problem ? null : options.jwtToken;
      later(() => {
        if (!wasStarted) return [undefined, notStarted()];
        if (problem) return [undefined, new KustomerError(problem)];
        if (!byToken.has(token)) byToken.set(token, newCustomer());
        current = byToken.get(token);
        return [{ identified: true, customerId: current }, null];
      }, callback);
    },

    logout(callback) {
      const wasStarted = started;
      later(() => {
        if (!wasStarted) return [undefined, notStarted()];
        current = newCustomer();
        return [{ identified: false }, null];
      }, callback);
    },

    describeCustomer(options, callback) {
      const wasStarted = started;
      const problem = validateOptions(options, names, spec);
      const update = problem ? null : copyData(options); // later changes by the caller do not count
      const customer = current; // the request goes out for the customer of the moment
      later(() => {
        if (!wasStarted) return [undefined, notStarted()];
        if (problem) return [undefined, new KustomerError(problem)];
        apply(customer, update); // at completion, in one go: overlapping calls all land
        return [response(customer), null];
      }, callback);
    },

    describeConversation(options, callback) {
      const wasStarted = started;
      const problem = validateConversationOptions(options, conversationNames);
      const update = problem ? null : copyData(options);
      later(() => {
        if (!wasStarted) return [undefined, notStarted()];
        if (problem) return [undefined, new KustomerError(problem)];
        const id = update.conversationId;
        if (!conversations.has(id)) conversations.set(id, new Map());
        const custom = conversations.get(id);
        for (const [name, value] of Object.entries(update.customAttributes)) custom.set(name, value);
        const out = {};
        for (const [name, value] of custom) out[name] = copyData(value);
        return [{ conversationId: id, custom: out }, null];
      }, callback);
    },
  };
}

export default createKustomer;
