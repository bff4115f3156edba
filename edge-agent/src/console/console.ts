/**
 * The room console at /console/ (first part: log-in, a tile per kit with its state and driver,
 * the e-stop and its reset, live over Server-Sent Events). Its files are public; its data and
 * its actions need a log-in (docs/agent-security.md): the live stream any logged-in user, the
 * reset the teacher or technician (the local API's own route).
 *
 * Other parts plug a page into the console's navigation with `pages` (e.g. the lab centre:
 * `{ id: 'lab', href: '/lab/', title: { vi: 'Phòng thí nghiệm', en: 'Lab centre' } }`).
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { Agent } from '../agent.ts';
import type { HttpApi } from '../api/http.ts';
import type { AgentEvents } from '../core/events.ts';

export interface ConsolePage {
  id: string;
  href: string;
  title: { vi: string; en: string };
}

const files: Record<string, string> = {
  '/': 'text/html; charset=utf-8',
  '/console.js': 'text/javascript; charset=utf-8',
  '/console.css': 'text/css; charset=utf-8',
};
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export function roomConsole(agent: Agent, api: HttpApi, pages: readonly ConsolePage[] = []): void {
  api.mount('/console/', (req, res, { path, caller }) => {
    if (path === '/pages.json') return json(res, { pages });
    if (path === '/events') {
      if (!caller) return json(res, { status: 'error', code: 'LOGIN_REQUIRED', message: 'log in first' }, 401);
      return stream(agent, res, () => req.destroy());
    }
    const type = files[path];
    if (!type || req.method !== 'GET') return json(res, { status: 'error', code: 'NOT_FOUND', message: `no ${path} in the console` }, 404);
    const body = readFileSync(new URL(`./page/${path === '/' ? 'index.html' : path.slice(1)}`, import.meta.url));
    res.writeHead(200, { 'content-type': type, 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' });
    res.end(body);
  });
}

/** The room's state now, then again on every kit, driver or e-stop change. */
function stream(agent: Agent, res: ServerResponse, close: () => void): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  const send = () => res.write(`event: room\ndata: ${JSON.stringify(room(agent))}\n\n`);
  send();
  const events: Array<keyof AgentEvents> = ['kit:state', 'kit:driver', 'estop', 'safety:stop'];
  const offs = events.map((name) => agent.bus.on(name, send));
  const timer = setInterval(send, 1000);
  res.on('close', () => {
    clearInterval(timer);
    for (const off of offs) off();
    close();
  });
}

function room(agent: Agent) {
  const status = agent.status();
  return { ...status, kits: status.kits.map((kit) => ({ ...kit, driver: agent.drivers.holder(kit.id)?.driver })) };
}

function json(res: ServerResponse, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}
