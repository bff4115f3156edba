// The room console: log-in, a tile per kit, the e-stop and its reset, live from the agent (SSE).
const texts = {
  vi: {
    title: 'Bảng điều khiển phòng', login: 'Đăng nhập', user: 'Tên đăng nhập', password: 'Mật khẩu', logout: 'Đăng xuất',
    estop: 'DỪNG KHẨN CẤP', reset: 'Mở khóa dừng khẩn cấp', latched: 'ĐÃ DỪNG KHẨN CẤP — mọi động cơ đã dừng',
    connected: 'đã kết nối', disconnected: 'đã rút cáp', connecting: 'đang kết nối', fault: 'lỗi', stopped: 'đã dừng', estopped: 'dừng khẩn cấp',
    driver: 'Chương trình điều khiển', none: 'không có', wrong: 'Sai tên đăng nhập hoặc mật khẩu',
  },
  en: {
    title: 'Room console', login: 'Log in', user: 'User name', password: 'Password', logout: 'Log out',
    estop: 'EMERGENCY STOP', reset: 'Reset the emergency stop', latched: 'EMERGENCY STOP — every motor is stopped',
    connected: 'connected', disconnected: 'unplugged', connecting: 'connecting', fault: 'fault', stopped: 'stopped', estopped: 'e-stopped',
    driver: 'Driven by', none: 'none', wrong: 'Wrong user name or password',
  },
};
let lang = localStorage.getItem('stemlab-lang') === 'en' ? 'en' : 'vi';
let last;
const $ = (id) => document.getElementById(id);
const t = (key) => texts[lang][key] ?? key;

function translate() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  $('lang').textContent = lang === 'vi' ? 'English' : 'Tiếng Việt';
  if (last) render(last);
}

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  return res.json();
}

function render(room) {
  last = room;
  $('banner').textContent = room.estop.latched ? t('latched') : '';
  $('banner').className = room.estop.latched ? 'latched' : '';
  $('tiles').replaceChildren(...room.kits.map((kit) => {
    const tile = document.createElement('article');
    const state = room.estop.latched && kit.state === 'connected' ? 'estopped' : kit.state;
    tile.className = `tile ${state}`;
    tile.dataset.kit = kit.id;
    const h = document.createElement('h3');
    h.textContent = `${kit.label ?? kit.id} · ${t(state)}`;
    const driver = document.createElement('p');
    driver.textContent = `${t('driver')}: ${kit.driver ?? t('none')}`;
    const list = document.createElement('ul');
    list.replaceChildren(...kit.components.map((c) => {
      const li = document.createElement('li');
      li.textContent = `${c.id}: ${JSON.stringify(c.value)}`;
      return li;
    }));
    tile.append(h, driver, list);
    return tile;
  }));
}

async function start() {
  const me = await (await fetch('/api/v1/auth/me')).json();
  if (!me.user) {
    $('login').hidden = false;
    $('room').hidden = true;
    return;
  }
  $('login').hidden = true;
  $('room').hidden = false;
  $('who').textContent = `${me.user.username} (${me.user.role})`;
  $('reset').hidden = !['teacher', 'technician', 'local'].includes(me.user.role);
  const events = new EventSource('/console/events');
  events.addEventListener('room', (e) => render(JSON.parse(e.data)));
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
$('estop').addEventListener('click', () => void post('/api/v1/estop', { source: 'console' }));
$('reset').addEventListener('click', async () => {
  const reply = await post('/api/v1/estop/reset', {});
  $('action-error').textContent = reply.status === 'ok' ? '' : reply.message;
});
$('lang').addEventListener('click', () => {
  lang = lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem('stemlab-lang', lang);
  translate();
});
fetch('/console/pages.json').then((r) => r.json()).then(({ pages }) => {
  $('nav').replaceChildren(...pages.map((p) => {
    const a = document.createElement('a');
    a.href = p.href;
    a.textContent = p.title[lang];
    return a;
  }));
});
translate();
void start();
