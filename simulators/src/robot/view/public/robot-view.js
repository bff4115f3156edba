// The live view of the club's simulated robots: one canvas per robot, drawn top-down at every
// screen refresh from the frames the gateway streams (Server-Sent Events read through fetch, so
// the editor's bearer token goes in a header, never in a URL). No library, no CDN: this file,
// index.html and robot-view.css are the whole page.

const texts = {
  vi: {
    title: 'Robot mô phỏng',
    editor: 'Trình soạn Node-RED',
    logout: 'Đăng xuất',
    login: 'Đăng nhập',
    loginHint: 'Dùng tài khoản của trình soạn Node-RED (thầy cô đã phát).',
    username: 'Tên đăng nhập',
    password: 'Mật khẩu',
    loginButton: 'Đăng nhập',
    loginFailed: 'Sai tên đăng nhập hoặc mật khẩu.',
    connecting: 'Đang kết nối…',
    connected: 'Đã kết nối: robot chạy theo luồng Node-RED của em.',
    lost: 'Mất kết nối, đang thử lại…',
    reset: 'Về vị trí xuất phát',
    start: 'Nút khởi động',
    arena: 'Sân',
    sonar: 'Siêu âm',
    noEcho: 'không có vật',
    line: 'Dò vạch',
    bumps: 'Va chạm',
    fell: 'Rơi khỏi bàn!',
    led: 'Đèn',
    buzzer: 'Còi',
    wheels: 'Bánh trái/phải',
    user: 'Đăng nhập: ',
    lang: 'English',
  },
  en: {
    title: 'Simulated robots',
    editor: 'Node-RED editor',
    logout: 'Log out',
    login: 'Log in',
    loginHint: 'Use your Node-RED editor account (from your teacher).',
    username: 'Username',
    password: 'Password',
    loginButton: 'Log in',
    loginFailed: 'Wrong username or password.',
    connecting: 'Connecting…',
    connected: 'Connected: the robots run your Node-RED flows.',
    lost: 'Connection lost, retrying…',
    reset: 'Back to start',
    start: 'Start button',
    arena: 'Arena',
    sonar: 'Sonar',
    noEcho: 'nothing',
    line: 'Line',
    bumps: 'Bumps',
    fell: 'Fell off the table!',
    led: 'LED',
    buzzer: 'Buzzer',
    wheels: 'Wheels L/R',
    user: 'Logged in: ',
    lang: 'Tiếng Việt',
  },
};

const editorPath = document.querySelector('meta[name="stemlab-editor"]').content || '/';
// Where the Node-RED editor keeps its log-in (RED.settings: 'auth-tokens' + the editor's path).
const tokenKey = `auth-tokens${editorPath.slice(0, -1).replace(/\//g, '-')}`;
const api = new URL('api/', window.location.href);
let lang = localStorage.getItem('stemlab-view-lang') || 'vi';
const t = (key) => texts[lang][key] ?? key;

/** Per robot: its scene (arena, body), its last two frames, its trail, its panel. */
const robots = new Map();
let arenas = [];
const stats = { frames: 0, draws: 0, drawMs: 0, maxDrawMs: 0 };
let controller;

function token() {
  try {
    return JSON.parse(localStorage.getItem(tokenKey) || 'null')?.access_token;
  } catch {
    return undefined;
  }
}

function applyTexts() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  document.getElementById('lang').textContent = t('lang');
  document.title = `${t('title')} – STEMLab`;
  for (const robot of robots.values()) buildPanel(robot);
}

function status(key) {
  document.getElementById('status').textContent = key ? t(key) : '';
}

function showLogin(show) {
  document.getElementById('login').hidden = !show;
  document.getElementById('logout').hidden = show;
  if (show) {
    document.getElementById('robots').replaceChildren();
    robots.clear();
    status('');
  }
}

async function login(event) {
  event.preventDefault();
  const form = event.target;
  const res = await fetch(new URL(`${editorPath}auth/token`, window.location.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'node-red-editor', grant_type: 'password', scope: '', username: form.username.value, password: form.password.value }),
  });
  if (!res.ok) {
    document.getElementById('login-error').textContent = t('loginFailed');
    return;
  }
  const tokens = await res.json();
  // The editor's own key: logged in here is logged in there, and the other way round.
  localStorage.setItem(tokenKey, JSON.stringify(tokens));
  localStorage.setItem('stemlab-view-user', form.username.value);
  document.getElementById('login-error').textContent = '';
  form.reset();
  connect();
}

async function call(path, body) {
  const res = await fetch(new URL(path, api), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token()}` },
    body: JSON.stringify(body ?? {}),
  });
  if (res.status === 401) showLogin(true);
}

/** Read the event stream; on a drop, try again; on 401, ask for a log-in. */
async function connect() {
  controller?.abort();
  if (!token()) return showLogin(true);
  showLogin(false);
  const user = localStorage.getItem('stemlab-view-user');
  document.getElementById('who').textContent = user ? t('user') + user : '';
  status('connecting');
  controller = new AbortController();
  try {
    const res = await fetch(new URL('stream', api), { headers: { authorization: `Bearer ${token()}` }, signal: controller.signal });
    if (res.status === 401) {
      localStorage.removeItem(tokenKey);
      return showLogin(true);
    }
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    status('connected');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        handle(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (err) {
    if (err.name === 'AbortError') return;
  }
  status('lost');
  setTimeout(connect, 2000);
}

function handle(block) {
  let event = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
  }
  if (!data) return;
  const message = JSON.parse(data);
  if (event === 'scene') onScene(message);
  else if (event === 'frame') onFrame(message);
}

function onScene({ robots: scenes, arenas: choices }) {
  arenas = choices;
  for (const scene of scenes) {
    const robot = robots.get(scene.id) ?? { id: scene.id };
    const changed = robot.scene?.generation !== scene.generation;
    robot.scene = scene;
    robot.trail = scene.trail.slice();
    robot.trailLayer = undefined;
    if (changed) {
      robot.prev = undefined;
      robot.last = undefined;
      robot.arenaLayer = undefined;
    }
    robots.set(scene.id, robot);
    buildPanel(robot);
  }
}

function onFrame({ robots: frames }) {
  const now = performance.now();
  stats.frames++;
  for (const frame of frames) {
    const robot = robots.get(frame.id);
    if (!robot || frame.generation !== robot.scene.generation) continue;
    if (robot.last && frame.bumps > robot.last.bumps) robot.flashUntil = now + 600;
    robot.prev = robot.last ?? frame;
    robot.last = frame;
    robot.lastAt = now;
    robot.frameGap = robot.prevAt ? Math.min(now - robot.prevAt, 200) : 50;
    robot.prevAt = now;
    const tail = robot.trail[robot.trail.length - 1];
    if (!tail || Math.hypot(tail[0] - frame.x, tail[1] - frame.y) > 0.5) {
      robot.trail.push([frame.x, frame.y]);
      robot.trailDrawn = Math.min(robot.trailDrawn ?? 0, robot.trail.length - 2);
    }
    if (robot.trail.length > 4000) {
      robot.trail.splice(0, robot.trail.length - 3000);
      robot.trailLayer = undefined; // redrawn whole from what is kept
    }
    // Text is updated a few times a second: enough to read, and no layout work at every frame.
    if (now - (robot.readoutAt ?? 0) > 200) {
      robot.readoutAt = now;
      updateReadout(robot);
    }
  }
}

function buildPanel(robot) {
  const { scene } = robot;
  if (!robot.panel) {
    robot.panel = document.createElement('section');
    robot.panel.className = 'robot';
    robot.panel.dataset.robot = robot.id;
    document.getElementById('robots').append(robot.panel);
  }
  const select = `<select data-role="arena" aria-label="${t('arena')}">${arenas
    .map((a) => `<option value="${a.id}"${a.id === scene.arena.id ? ' selected' : ''}>${escapeHtml(a.title[lang])}</option>`)
    .join('')}</select>`;
  robot.panel.innerHTML = `<div class="bar"><strong>${escapeHtml(scene.label)}</strong>${select}
    <button type="button" data-role="reset">${t('reset')}</button>
    <button type="button" data-role="start">${t('start')}</button></div>
    <canvas></canvas><div class="readout"></div>`;
  robot.canvas = robot.panel.querySelector('canvas');
  robot.readout = robot.panel.querySelector('.readout');
  robot.arenaLayer = undefined;
  robot.trailLayer = undefined;
  // The canvas's size, read when it changes rather than at each frame (a read forces a layout).
  robot.cssWidth = robot.canvas.clientWidth;
  resizer.observe(robot.canvas);
  robot.panel.querySelector('[data-role=arena]').addEventListener('change', (e) => call(`robots/${encodeURIComponent(robot.id)}/arena`, { arena: e.target.value }));
  robot.panel.querySelector('[data-role=reset]').addEventListener('click', () => call(`robots/${encodeURIComponent(robot.id)}/reset`));
  const start = robot.panel.querySelector('[data-role=start]');
  start.addEventListener('pointerdown', () => call(`robots/${encodeURIComponent(robot.id)}/button`, { pressed: true }));
  start.addEventListener('pointerup', () => call(`robots/${encodeURIComponent(robot.id)}/button`, { pressed: false }));
  updateReadout(robot);
}

function updateReadout(robot) {
  const f = robot.last;
  if (!f || !robot.readout) return;
  const threshold = robot.scene.body.lineThreshold;
  const line = f.line.map((v) => (v > threshold ? '●' : '○')).join('');
  robot.readout.innerHTML = `<span data-role="pose">x ${f.x.toFixed(1)} · y ${f.y.toFixed(1)} · ${Math.round(f.heading)}°</span>
    <span>${t('sonar')}: ${f.sonar === null ? t('noEcho') : `${f.sonar.toFixed(1)} cm`}</span>
    <span>${t('line')}: ${line}</span><span>${t('wheels')}: ${f.left}/${f.right}</span>
    <span>${t('led')}: ${f.led ? '💡' : '○'}</span><span>${t('buzzer')}: ${f.buzzer ? '🔊' : '○'}</span>
    <span class="${f.contact ? 'bump' : ''}">${t('bumps')}: ${f.bumps}</span>${f.fallen ? `<span class="bump">${t('fell')}</span>` : ''}`;
}

// ---- drawing --------------------------------------------------------------------------------

const resizer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    for (const robot of robots.values()) if (robot.canvas === entry.target) robot.cssWidth = entry.contentRect.width;
  }
});

function draw() {
  const started = performance.now();
  for (const robot of robots.values()) if (robot.canvas) drawRobot(robot, started);
  const ms = performance.now() - started;
  if (robots.size > 0) {
    stats.draws++;
    stats.drawMs += ms;
    stats.maxDrawMs = Math.max(stats.maxDrawMs, ms);
  }
  requestAnimationFrame(draw);
}

function drawRobot(robot, now) {
  const { canvas, scene } = robot;
  const { arena } = scene;
  const ratio = window.devicePixelRatio || 1;
  const width = Math.round((robot.cssWidth ?? 0) * ratio);
  const height = Math.round((width * arena.height) / arena.width);
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
    robot.arenaLayer = undefined;
    robot.trailLayer = undefined;
  }
  if (width === 0) return;
  const scale = width / arena.width;
  if (robot.ctx?.canvas !== canvas) robot.ctx = canvas.getContext('2d');
  const ctx = robot.ctx;
  robot.arenaLayer ??= arenaLayer(arena, width, height, scale);
  drawTrail(robot, width, height, scale);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(robot.arenaLayer, 0, 0);
  ctx.drawImage(robot.trailLayer, 0, 0);
  // Arena cm to canvas: y up, origin bottom-left.
  ctx.setTransform(scale, 0, 0, -scale, 0, height);

  const f = robot.last;
  if (!f) return;
  // Between two frames: glide from the previous to the latest, so 20 frames a second look smooth.
  const k = Math.min((now - robot.lastAt) / (robot.frameGap || 50), 1);
  const p = robot.prev;
  const x = p.x + (f.x - p.x) * k;
  const y = p.y + (f.y - p.y) * k;
  let dh = f.heading - p.heading;
  if (dh > 180) dh -= 360;
  if (dh < -180) dh += 360;
  const heading = ((p.heading + dh * k) * Math.PI) / 180;
  const { body } = scene;

  ctx.save();
  ctx.translate(x, y);
  ctx.rotate(heading);
  // The sonar's cone, to its reading (or its range, faint).
  const aim = ((f.servo - 90) * Math.PI) / 180;
  const half = (body.sonar.halfAngle * Math.PI) / 180;
  const reach = f.sonar ?? Math.min(body.sonar.max, 60);
  ctx.fillStyle = f.sonar === null ? 'rgba(255, 193, 7, 0.12)' : 'rgba(255, 152, 0, 0.28)';
  ctx.beginPath();
  ctx.moveTo(body.sonar.offset, 0);
  ctx.arc(body.sonar.offset, 0, reach, aim - half, aim + half);
  ctx.closePath();
  ctx.fill();
  // The body, its wheels, its front.
  const flash = now < (robot.flashUntil ?? 0) || f.contact;
  ctx.fillStyle = f.fallen ? '#9e9e9e' : '#455a64';
  ctx.strokeStyle = flash ? '#e53935' : '#263238';
  ctx.lineWidth = flash ? 2.2 : 0.8;
  ctx.beginPath();
  ctx.arc(0, 0, body.radius, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
  ctx.fillStyle = '#111';
  ctx.fillRect(-3.3, body.track / 2 - 1.2, 6.6, 2.4);
  ctx.fillRect(-3.3, -body.track / 2 - 1.2, 6.6, 2.4);
  ctx.fillStyle = '#90a4ae';
  ctx.fillRect(body.sonar.offset - 1.5, -2.5, 3, 5);
  // The line sensors, lit when they see the line.
  f.line.forEach((value, i) => {
    const [ahead, left] = body.lineSensors[i] ?? [0, 0];
    ctx.fillStyle = value > body.lineThreshold ? '#ff1744' : '#ffffff';
    ctx.beginPath();
    ctx.arc(ahead, left, 0.7, 0, 2 * Math.PI);
    ctx.fill();
  });
  // The LED on top, the buzzer's rings.
  ctx.fillStyle = f.led ? '#ffeb3b' : '#263238';
  ctx.beginPath();
  ctx.arc(-4, 0, 2, 0, 2 * Math.PI);
  ctx.fill();
  if (f.buzzer) {
    ctx.strokeStyle = 'rgba(156, 39, 176, 0.8)';
    ctx.lineWidth = 0.8;
    for (const r of [body.radius + 3, body.radius + 6]) {
      ctx.beginPath();
      ctx.arc(0, 0, r, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** The trail on a layer of its own: only the newest segments are drawn at each frame. */
function drawTrail(robot, width, height, scale) {
  if (!robot.trailLayer) {
    robot.trailLayer = document.createElement('canvas');
    robot.trailLayer.width = width;
    robot.trailLayer.height = height;
    robot.trailDrawn = 0;
  }
  const trail = robot.trail;
  const from = Math.max(robot.trailDrawn ?? 0, 0);
  if (trail.length - from < 2) return;
  const ctx = robot.trailLayer.getContext('2d');
  ctx.setTransform(scale, 0, 0, -scale, 0, height);
  ctx.strokeStyle = 'rgba(33, 150, 243, 0.55)';
  ctx.lineWidth = 0.8;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(trail[from][0], trail[from][1]);
  for (let i = from + 1; i < trail.length; i++) ctx.lineTo(trail[i][0], trail[i][1]);
  ctx.stroke();
  robot.trailDrawn = trail.length - 1;
}

/** The arena's fixed drawing (floor, zones, lines, walls), drawn once per size and arena. */
function arenaLayer(arena, width, height, scale) {
  const layer = document.createElement('canvas');
  layer.width = width;
  layer.height = height;
  const ctx = layer.getContext('2d');
  ctx.setTransform(scale, 0, 0, -scale, 0, height);
  ctx.fillStyle = arena.floorDark ? '#222' : '#f7f7f2';
  ctx.fillRect(0, 0, arena.width, arena.height);
  ctx.strokeStyle = 'rgba(0,0,0,0.06)';
  ctx.lineWidth = 0.3;
  for (let gx = 10; gx < arena.width; gx += 10) line(ctx, gx, 0, gx, arena.height);
  for (let gy = 10; gy < arena.height; gy += 10) line(ctx, 0, gy, arena.width, gy);
  for (const zone of arena.zones) {
    ctx.fillStyle = zone.surface === 'dark' ? '#1a1a1a' : zone.surface === 'light' ? '#ffffff' : 'rgba(76, 175, 80, 0.18)';
    ctx.strokeStyle = zone.surface === 'mark' ? 'rgba(56, 142, 60, 0.8)' : 'transparent';
    ctx.lineWidth = 0.6;
    ctx.beginPath();
    if (zone.shape === 'circle') ctx.arc(zone.x, zone.y, zone.r, 0, 2 * Math.PI);
    else polygon(ctx, zone.corners);
    ctx.fill();
    ctx.stroke();
  }
  ctx.strokeStyle = '#111';
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  for (const l of arena.lines) {
    ctx.lineWidth = l.width;
    ctx.beginPath();
    ctx.moveTo(l.points[0][0], l.points[0][1]);
    for (const [px, py] of l.points) ctx.lineTo(px, py);
    ctx.stroke();
  }
  for (const solid of arena.solids) {
    ctx.fillStyle = solid.kind === 'obstacle' ? '#8d6e63' : '#5d4037';
    ctx.beginPath();
    polygon(ctx, solid.corners);
    ctx.fill();
  }
  for (const c of arena.cylinders) {
    ctx.fillStyle = '#8d6e63';
    ctx.beginPath();
    ctx.arc(c.x, c.y, c.r, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (arena.border === 'edge') {
    ctx.strokeStyle = '#b71c1c';
    ctx.setLineDash([3, 2]);
    ctx.lineWidth = 1;
    ctx.strokeRect(0.5, 0.5, arena.width - 1, arena.height - 1);
  }
  return layer;
}

function line(ctx, x1, y1, x2, y2) {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

function polygon(ctx, corners) {
  ctx.moveTo(corners[0][0], corners[0][1]);
  for (const [x, y] of corners.slice(1)) ctx.lineTo(x, y);
  ctx.closePath();
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// For tests and the bench: what the page shows and how long drawing takes.
window.robotView = {
  stats: () => ({ ...stats, meanDrawMs: stats.draws ? stats.drawMs / stats.draws : 0 }),
  resetStats: () => Object.assign(stats, { frames: 0, draws: 0, drawMs: 0, maxDrawMs: 0 }),
  pose: (id) => (robots.get(id)?.last ? { x: robots.get(id).last.x, y: robots.get(id).last.y, heading: robots.get(id).last.heading } : undefined),
  robots: () => [...robots.keys()],
};

document.getElementById('login').addEventListener('submit', (e) => void login(e));
document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem('stemlab-view-lang', lang);
  applyTexts();
});
document.getElementById('logout').addEventListener('click', () => {
  controller?.abort();
  localStorage.removeItem(tokenKey);
  showLogin(true);
});
applyTexts();
requestAnimationFrame(draw);
void connect();
