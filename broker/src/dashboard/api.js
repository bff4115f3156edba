// The central's HTTP API, as the dashboard calls it. The session token lives in sessionStorage:
// it ends with the tab, which suits the shared computers of schools and the department.

const KEY = 'stemlab.session';

export class ApiFailure extends Error {
  constructor(status, code, message, retryAfterSec) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterSec = retryAfterSec;
  }
}

/** { token, username, role, unit, expiresAt } or null. */
export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
  } catch {
    return null;
  }
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

let onExpired = () => {};
/** Called when the server no longer knows our session (expired, logged out elsewhere, account disabled). */
export function whenExpired(fn) {
  onExpired = fn;
}

/** The answer boot.js started for this path with this session, once; null otherwise (then it is fetched). */
async function takeEarly(path, s) {
  const early = globalThis.stemlabEarly;
  if (!early || early.path !== path || early.token !== s?.token) return null;
  globalThis.stemlabEarly = undefined;
  return early.response;
}

async function request(path, { method = 'GET', body } = {}) {
  const s = session();
  const headers = {};
  if (s) headers.authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res = method === 'GET' ? await takeEarly(path, s) : null;
  try {
    res ??= await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiFailure(0, 'NETWORK', 'network error');
  }
  if (res.ok) return res;
  let envelope = {};
  try {
    envelope = await res.json();
  } catch {
    // Not our envelope (a proxy's page): the status says enough.
  }
  const failure = new ApiFailure(res.status, envelope.code ?? 'INTERNAL', envelope.message ?? res.statusText, Number(res.headers.get('retry-after')) || undefined);
  if (res.status === 401 && s && path !== '/api/v1/login') {
    clearSession();
    onExpired();
  }
  throw failure;
}

export async function api(path, options) {
  return (await request(path, options)).json();
}

export async function login(username, password) {
  const s = await api('/api/v1/login', { method: 'POST', body: { username, password } });
  sessionStorage.setItem(KEY, JSON.stringify({ ...s, username }));
  return s;
}

export async function logout() {
  try {
    await request('/api/v1/logout', { method: 'POST' });
  } finally {
    clearSession();
  }
}

/** Fetches a file with the session and hands it to the browser as a download. */
export async function download(path, fallbackName) {
  const res = await request(path);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
