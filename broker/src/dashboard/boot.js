// Loaded first and on its own (index.html, async): starts the first view's data request while
// the page's other modules are still loading, so the overview does not wait for them and then for
// the API in turn. api.js takes the answer (once) instead of asking again. Only for the overview
// of a department account already logged in; anything else is fetched as usual.
try {
  const s = JSON.parse(sessionStorage.getItem('stemlab.session') ?? 'null');
  if (s && (location.hash === '' || location.hash === '#/') && (s.role === 'admin' || s.role === 'viewer')) {
    const path = '/api/v1/units';
    globalThis.stemlabEarly = { path, token: s.token, response: fetch(path, { headers: { authorization: `Bearer ${s.token}` } }).catch(() => null) };
  }
} catch {
  // No storage (private mode): nothing to start early.
}
