// The shop's JSON API as any client calls it, and the sessions the pages keep.

/** A refused call: the RFC 9457 problem object the shop answered, and its HTTP status. */
export class ApiError extends Error {
  constructor(problem, status) {
    super(describe(problem));
    this.problem = problem;
    this.status = status;
  }

  get code() {
    return this.problem.code;
  }
}

/** A problem object in words: each field's complaint when it names fields, else its detail (or title). */
export function describe(problem) {
  if (Array.isArray(problem.errors) && problem.errors.length > 0) {
    return problem.errors.map((e) => e.detail || `${e.field}: ${e.code}`).join("; ");
  }
  return problem.detail || problem.title || "The request failed.";
}

/** One call: JSON in, JSON out; a refusal throws ApiError. Query values that are empty are left out. */
export async function call(method, path, { body, token, idempotencyKey, query } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = "Bearer " + token;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let url = path;
  if (query) {
    const pairs = Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== "");
    if (pairs.length > 0) url += "?" + new URLSearchParams(pairs.map(([k, v]) => [k, String(v)]));
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError({ code: "network", detail: "The shop could not be reached; check the connection and try again." }, 0);
  }
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  if (!response.ok) {
    const problem = json && typeof json === "object" ? json
      : { code: `http_${response.status}`, detail: `The shop answered HTTP ${response.status}.` };
    throw new ApiError(problem, response.status);
  }
  return json;
}

/** The signed-in account of `role` ("user" or "seller"), or null once its token expired. */
export function session(role) {
  try {
    const saved = JSON.parse(localStorage.getItem(`bazaar.${role}`) || "null");
    if (saved && Date.parse(saved.expiresAt) > Date.now()) return saved;
  } catch {
    // A damaged entry counts as signed out.
  }
  localStorage.removeItem(`bazaar.${role}`);
  return null;
}

/** Keeps a login's answer: the token (never put in a URL), its expiry and the account. */
export function saveSession(role, answer) {
  localStorage.setItem(`bazaar.${role}`, JSON.stringify({
    token: answer.token,
    expiresAt: answer.expiresAt,
    account: answer[role],
  }));
}

export function endSession(role) {
  localStorage.removeItem(`bazaar.${role}`);
}

/** Thrown when a call already sent the browser elsewhere (to log in): nothing more to show. */
export class Navigated extends Error {}

/**
 * Calls as the signed-in `role` for a page whose home is `home`: with no session, or one the
 * shop ended (401), the browser goes to `#/login` (`notice` says why) and comes back afterwards.
 * `verb` is how the page names signing in ("log in", "sign in").
 */
export function signedIn(role, home, verb, notice) {
  const returnKey = `bazaar.${role}.returnTo`;
  const toLogin = (message) => {
    sessionStorage.setItem(returnKey, location.hash || home);
    if (message) notice(message);
    location.hash = "#/login";
    throw new Navigated();
  };
  return {
    toLogin,
    async call(method, path, options = {}) {
      const current = session(role);
      if (!current) toLogin(`Please ${verb} first.`);
      try {
        return await call(method, path, { ...options, token: current.token });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          endSession(role);
          toLogin(`Your session has ended; please ${verb} again.`);
        }
        throw error;
      }
    },
    /** Where to go once signed in: back where the page was, else home. */
    returnTarget() {
      const target = sessionStorage.getItem(returnKey) || home;
      sessionStorage.removeItem(returnKey);
      return ["#/login", "#/signup", "#/register"].includes(target) ? home : target;
    },
  };
}
