// Small helpers around the Vigil REST API. Paths are relative, so the
// console also works behind a reverse proxy that mounts it under a prefix.

/** Thrown when the server wants a bearer token (HTTP 401). */
export class AuthError extends Error {}

/** Thrown for any other non-2xx answer; `status` holds the HTTP status. */
export class HTTPError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** GET a JSON document; rejects with AuthError, HTTPError or a network TypeError. */
export async function getJSON(path, { signal } = {}) {
  const r = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store', signal });
  if (r.status === 401) throw new AuthError('token required');
  if (!r.ok) {
    let msg = `${r.status} ${r.statusText}`;
    try { msg = (await r.json()).error || msg; } catch { /* not JSON */ }
    throw new HTTPError(r.status, msg);
  }
  return r.json();
}

/**
 * Signs in with a token: the server accepts `?token=` once and answers with
 * an HttpOnly cookie, which the browser then sends with every request,
 * EventSource included (it cannot set an Authorization header).
 */
export async function signIn(token) {
  const r = await fetch('v1/status?token=' + encodeURIComponent(token), { cache: 'no-store' });
  return r.ok;
}

export const queryPath = (id) => 'v1/queries/' + encodeURIComponent(id);
