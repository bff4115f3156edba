// The room console: log-in, a tile per kit, the e-stop and its reset, live from the agent (SSE);
// the robot club's session (club.js) and the technician's kit checks (care.js) below.
import { i18n, t, post, el, message } from './i18n.js';
import { club } from './club.js';
import { care } from './care.js';

let last;
let me;
const $ = (id) => document.getElementById(id);

function translate() {
  document.documentElement.lang = i18n.lang;
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
  $('lang').textContent = i18n.lang === 'vi' ? 'English' : 'Tiếng Việt';
  if (last) render(last);
  club.render();
  care.render();
  void nav();
}

/** A team's own lesson tab by the team's name; other drivers as the agent names them (flow:<tab>, api:teacher...). */
function driverName(driver, team) {
  if (!driver) return t('none');
  return team?.tab && driver === `flow:${team.tab}` ? `${t('teamFlow')} ${team.name}` : driver;
}

function render(room) {
  last = room;
  $('banner').textContent = room.estop.latched ? t('latched') : '';
  $('banner').className = room.estop.latched ? 'latched' : '';
  $('tiles').replaceChildren(...room.kits.map((kit) => {
    const state = room.estop.latched && kit.state === 'connected' ? 'estopped' : kit.state;
    const team = club.teamOfKit(kit.id);
    return el('article', { className: `tile ${state}`, dataset: { kit: kit.id, state } },
      el('h3', {}, `${kit.label ?? kit.id} · ${t(state)}`),
      team ? el('p', { className: 'team' }, `${t('team')}: ${team.name}`) : undefined,
      el('p', { className: 'driver', dataset: { driver: kit.driver ?? '' } }, `${t('driver')}: ${driverName(kit.driver, team)}`),
      el('ul', {}, ...kit.components.map((c) => el('li', { dataset: { component: c.id } }, `${c.id}: ${JSON.stringify(c.value)}`))),
      club.tileActions(kit));
  }));
}

async function start() {
  me = (await (await fetch('/api/v1/auth/me')).json()).user;
  if (!me) {
    $('login').hidden = false;
    $('room').hidden = true;
    return;
  }
  $('login').hidden = true;
  $('room').hidden = false;
  $('who').textContent = `${me.username} (${me.role})`;
  const staff = ['teacher', 'technician', 'local'].includes(me.role);
  $('reset').hidden = !staff;
  $('logout').hidden = false;
  await club.start(me, $('club'), () => last && render(last));
  if (staff) await care.start($('care'));
  const events = new EventSource('/console/events');
  events.addEventListener('room', (e) => render(JSON.parse(e.data)));
  events.addEventListener('club', (e) => club.update(JSON.parse(e.data)));
}

async function nav() {
  const { pages } = await (await fetch('/console/pages.json')).json();
  $('nav').replaceChildren(...pages.map((p) => el('a', { href: p.href }, p.title[i18n.lang])));
}

$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const reply = await post('/api/v1/auth/login', { username: form.get('username'), password: form.get('password') });
  if (reply.status !== 'ok') {
    $('login-error').textContent = reply.code === 'LOGIN_FAILED' ? t('wrong') : reply.message;
    return;
  }
  await start();
});
$('logout').addEventListener('click', async () => {
  await post('/api/v1/auth/logout', {});
  location.reload();
});
$('estop').addEventListener('click', () => void post('/api/v1/estop', { source: 'console' }));
$('reset').addEventListener('click', async () => {
  const reply = await post('/api/v1/estop/reset', {});
  $('action-error').textContent = reply.status === 'ok' ? '' : message(reply);
});
$('lang').addEventListener('click', () => {
  i18n.lang = i18n.lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem('stemlab-lang', i18n.lang);
  translate();
});
translate();
void start();
