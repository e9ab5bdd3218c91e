// @ts-check
// GraphQL over HTTP: gql runs one operation; freshSignal keeps one request
// in flight per view; the bearer token is the playground's.

export class ApiError extends Error {
  /** @param {string} message @param {string} code */
  constructor(message, code) { super(message); this.code = code; }
}

export function isAbort(err) { return err && err.name === 'AbortError'; }

// errorFrom is the ApiError of a response's errors (GraphQL's, or an
// export's refusal, which has the same shape).
export function errorFrom(errors) {
  const first = errors[0] || {};
  const code = (first.extensions && first.extensions.code) || 'ERROR';
  return new ApiError([...new Set(errors.map((e) => e.message))].join('; '), code);
}

// gql runs one operation. Any GraphQL error fails the whole call: a view
// shows either its data or the error, never half of it silently.
// It asks for application/json, under which the server answers GraphQL
// errors with 200 rather than 400: the body is the same, and the browser
// does not log each one as a failed load.
// The token is the playground's (same key in this tab's session storage):
// a private server needs it for reads; an open one ignores it for them.
export const TOKEN_KEY = 'geotimeline.token';
export function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }
export function authHeaders() { return token() ? { Authorization: 'Bearer ' + token() } : {}; }

/**
 * @param {string} query
 * @param {Record<string, unknown>} variables
 * @param {AbortSignal} [signal]
 * @returns {Promise<any>} the response's data
 */
export async function gql(query, variables, signal) {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    body = null; // not JSON, e.g. a proxy's error page: reported by status below
  }
  if (signal && signal.aborted) throw new DOMException('superseded', 'AbortError');
  if (body && Array.isArray(body.errors) && body.errors.length) throw errorFrom(body.errors);
  if (!res.ok || !body || !body.data) throw new ApiError('HTTP ' + res.status + ' ' + res.statusText, 'HTTP_' + res.status);
  return body.data;
}

// Each view keeps one request in flight: a new one aborts the old, so a
// slow answer to an old filter never overwrites a newer one.
/** @type {Record<string, AbortController>} */
const controllers = {};
/** @param {string} view @returns {AbortSignal} */
export function freshSignal(view) {
  if (controllers[view]) controllers[view].abort();
  controllers[view] = new AbortController();
  return controllers[view].signal;
}
