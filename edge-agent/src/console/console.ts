/**
 * The room console at /console/: log-in, a tile per kit with its state, team and driver, the
 * e-stop and its reset, live over Server-Sent Events; the robot club's session and the
 * technician's kit checks (club/, page/club.js, page/care.js); a printable club summary
 * (page/summary.html). Its files are public; its data and its actions need a log-in
 * (docs/agent-security.md): the live stream any logged-in user (a student sees their team's kit
 * only), the reset the teacher or technician (the local API's own route).
 *
 * Other parts plug a page into the console's navigation with `pages` (e.g. the lab centre:
 * `{ id: 'lab', href: '/lab/', title: { vi: 'Phòng thí nghiệm', en: 'Lab centre' } }`).
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { Agent } from '../agent.ts';
import type { HttpApi } from '../api/http.ts';
import type { Caller } from '../api/auth.ts';
import type { AgentEvents } from '../core/events.ts';

export interface ConsolePage {
  id: string;
  href: string;
  title: { vi: string; en: string };
}

const JS = 'text/javascript; charset=utf-8';
const files: Record<string, string> = {
  '/': 'text/html; charset=utf-8',
  '/summary.html': 'text/html; charset=utf-8',
  '/console.js': JS,
  '/i18n.js': JS,
  '/club.js': JS,
  '/care.js': JS,
  '/summary.js': JS,
  '/console.css': 'text/css; charset=utf-8',
};

/**
 * What the robot club adds to the console's stream (club/): the kits a caller may see (a
 * student: their team's only), the club's state as that caller may see it, and its changes.
 */
export interface ConsoleClub {
  visibleKits(caller: Caller | undefined, all: readonly string[]): string[];
  view(caller: Caller | undefined): unknown;
  onChange(listener: () => void): () => void;
}
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export function roomConsole(agent: Agent, api: HttpApi, pages: readonly ConsolePage[] = [], club?: ConsoleClub): void {
  api.mount('/console/', (req, res, { path, caller }) => {
    if (path === '/pages.json') return json(res, { pages });
    if (path === '/events') {
      if (!caller) return json(res, { status: 'error', code: 'LOGIN_REQUIRED', message: 'log in first' }, 401);
      return stream(agent, res, caller, club, () => req.destroy());
    }
    const type = files[path];
    if (!type || req.method !== 'GET') return json(res, { status: 'error', code: 'NOT_FOUND', message: `no ${path} in the console` }, 404);
    const body = readFileSync(new URL(`./page/${path === '/' ? 'index.html' : path.slice(1)}`, import.meta.url));
    res.writeHead(200, { 'content-type': type, 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' });
    res.end(body);
  });
}

/** The room's state now, then again on every kit, driver or e-stop change (and the club's on its changes). */
function stream(agent: Agent, res: ServerResponse, caller: Caller, club: ConsoleClub | undefined, close: () => void): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  const send = () => res.write(`event: room\ndata: ${JSON.stringify(room(agent, caller, club))}\n\n`);
  const sendClub = () => club && res.write(`event: club\ndata: ${JSON.stringify(club.view(caller) ?? null)}\n\n`);
  send();
  sendClub();
  const events: Array<keyof AgentEvents> = ['kit:state', 'kit:driver', 'estop', 'safety:stop'];
  const offs = events.map((name) => agent.bus.on(name, send));
  if (club) offs.push(club.onChange(sendClub));
  const timer = setInterval(send, 1000);
  res.on('close', () => {
    clearInterval(timer);
    for (const off of offs) off();
    close();
  });
}

function room(agent: Agent, caller: Caller, club: ConsoleClub | undefined) {
  const status = agent.status();
  const all = status.kits.map((kit) => kit.id);
  const visible = new Set(club ? club.visibleKits(caller, all) : all);
  const kits = status.kits.filter((kit) => visible.has(kit.id));
  return { ...status, kits: kits.map((kit) => ({ ...kit, driver: agent.drivers.holder(kit.id)?.driver })) };
}

function json(res: ServerResponse, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}
