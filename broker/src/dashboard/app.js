// The dashboard's shell: log-in, the header (navigation, who is logged in, language), and the
// hash routes #/ (overview), #/unit/ID, #/map[/DISTRICT], #/trends, #/reports, #/admin. Each view renders into <main>.
import { clearSession, login, logout, session, whenExpired, ApiFailure } from './api.js';
import { field, h, notice, replace } from './dom.js';
import { errorText, lang, setLang, t } from './i18n.js';
import { renderAdmin } from './view-admin.js';
import { renderOverview } from './view-overview.js';
import { renderReports } from './view-reports.js';
import { renderUnit } from './view-unit.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let flash = null; // { key, params } shown on the log-in page (e.g. session expired)
let loginError = null; // the last log-in failure, re-translated when the language changes
let renders = 0;

const unitScoped = (s) => s.role === 'teacher' || s.role === 'technician';

function routeOf(hash) {
  const [path = '', arg] = hash.replace(/^#\/?/, '').split('/');
  return { path, arg: arg ? decodeURIComponent(arg) : undefined };
}

function translateStatic() {
  document.documentElement.lang = lang();
  document.title = t('app.title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  // Named by its visible text, in the language it switches to; the title says what it does.
  const button = document.getElementById('lang');
  button.textContent = t('lang.other');
  button.title = t('lang.switch');
  button.setAttribute('lang', lang() === 'vi' ? 'en' : 'vi');
}

function renderHeader(s) {
  nav.hidden = !s;
  document.getElementById('logout').hidden = !s;
  document.getElementById('whoami').textContent = s ? t('user.signedInAs', { username: s.username, role: t(`role.${s.role}`) }) : '';
  if (!s) return;
  for (const li of nav.querySelectorAll('[data-roles]')) li.hidden = !li.dataset.roles.split(' ').includes(s.role);
  const overview = document.getElementById('home');
  overview.textContent = t(unitScoped(s) ? 'nav.myUnit' : 'nav.overview');
  overview.href = unitScoped(s) ? `#/unit/${encodeURIComponent(s.unit)}` : '#/';
  const { path } = routeOf(location.hash);
  for (const a of nav.querySelectorAll('a')) {
    const current = routeOf(a.getAttribute('href')).path === path;
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function renderLogin() {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('div', { class: 'messages' });
  const show = () => {
    if (loginError) replace(message, notice('error', errorText(loginError)));
    else if (flash) replace(message, notice('info', t(flash.key, flash.params)));
    else replace(message);
  };
  const form = h(
    'form',
    {
      class: 'card login',
      onsubmit: async (event) => {
        event.preventDefault();
        const button = form.querySelector('button');
        button.disabled = true;
        try {
          await login(username.value.trim(), password.value);
          loginError = null;
          flash = null;
          const s = session();
          await go(unitScoped(s) ? `#/unit/${encodeURIComponent(s.unit)}` : '#/');
        } catch (err) {
          loginError = err instanceof ApiFailure ? err : new ApiFailure(0, 'NETWORK', String(err));
          password.value = '';
          show();
          password.focus();
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h1', { tabindex: '-1' }, t('login.title')),
    h('p', {}, t('login.intro')),
    message,
    field(t('login.username'), username),
    field(t('login.password'), password),
    h('button', { type: 'submit', class: 'primary' }, t('login.submit')),
  );
  show();
  replace(main, form);
  username.focus();
}

/** Navigates to a route; renders once (hashchange renders when the hash changes). */
async function go(hash) {
  if (location.hash === hash || (hash === '#/' && location.hash === '')) await render();
  else location.hash = hash;
}

async function render() {
  const mine = ++renders;
  translateStatic();
  const s = session();
  renderHeader(s);
  if (!s) return renderLogin();
  const { path, arg } = routeOf(location.hash);
  const ctx = { session: s, main, current: () => mine === renders };
  replace(main, h('p', { class: 'loading' }, t('common.loading')));
  try {
    if (path === '' && unitScoped(s)) location.replace(`#/unit/${encodeURIComponent(s.unit)}`);
    else if (path === '') await renderOverview(ctx);
    else if (path === 'unit' && arg) await renderUnit(ctx, arg);
    else if (path === 'reports' && !unitScoped(s)) await renderReports(ctx);
    // Loaded when first opened: the charts' library is not part of the first view.
    else if (path === 'trends' && !unitScoped(s)) await (await import('./view-trends.js')).renderTrends(ctx);
    else if (path === 'map' && !unitScoped(s)) await (await import('./view-map.js')).renderMap(ctx, arg);
    else if (path === 'admin' && s.role === 'admin') await renderAdmin(ctx);
    else if (['reports', 'admin', 'trends', 'map'].includes(path)) replace(main, h('h1', { tabindex: '-1' }, t('error.forbiddenTitle')), notice('error', t('error.forbidden')));
    else replace(main, h('h1', { tabindex: '-1' }, t('error.notFoundTitle')), notice('error', t('error.notFound')));
  } catch (err) {
    if (!ctx.current() || !session()) return;
    replace(main, h('h1', { tabindex: '-1' }, t(err?.code === 'FORBIDDEN' ? 'error.forbiddenTitle' : 'error.title')), notice('error', errorText(err)));
  }
  if (ctx.current()) main.querySelector('h1')?.focus({ preventScroll: true });
}

whenExpired(() => {
  flash = { key: 'error.sessionExpired' };
  void render();
});

document.getElementById('lang').addEventListener('click', () => {
  setLang(lang() === 'vi' ? 'en' : 'vi');
  void render();
});
document.getElementById('logout').addEventListener('click', async () => {
  try {
    await logout();
  } catch {
    clearSession();
  }
  flash = { key: 'login.loggedOut' };
  await go('#/');
});
window.addEventListener('hashchange', () => void render());
void render();
