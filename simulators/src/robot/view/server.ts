import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArenaError, shippedArenaIds } from '../arena/load.ts';
import type { RobotRoom } from '../room.ts';
import { arenaChoices, frameOf, sceneOf } from './frames.ts';

/** The account a request carries, as the gateway's log-in checked it (the Node-RED editor's). */
export interface ViewUser {
  username: string;
  teacher: boolean;
}

/** Handles one request below the view's mount point (`path` is '/' for the mount point itself). */
export type ViewHandler = ((req: IncomingMessage, res: ServerResponse, context: { path: string; user: ViewUser | undefined }) => void) & {
  /** End every stream and stop the frame timer. */
  close(): void;
};

export interface RobotViewOptions {
  /** ms between frames on the stream; 50 by default (20 a second: the page draws every screen refresh in between). */
  frameMs?: number;
  /** Where the Node-RED editor is (its log-in: `{editorPath}auth/token`); '/' by default. */
  editorPath?: string;
}

const files: Record<string, { type: string; file: string }> = {
  '/': { type: 'text/html; charset=utf-8', file: 'index.html' },
  '/robot-view.js': { type: 'text/javascript; charset=utf-8', file: 'robot-view.js' },
  '/robot-view.css': { type: 'text/css; charset=utf-8', file: 'robot-view.css' },
};
const publicDir = new URL('./public/', import.meta.url);

/** Nothing inline, nothing from elsewhere: the page's own files and its own API. */
export const VIEW_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

const loginRequired = {
  code: 'LOGIN_REQUIRED',
  message: 'Hãy đăng nhập bằng tài khoản của trình soạn Node-RED / Log in with your Node-RED editor account',
};

/**
 * The live view of a room's robots, as an HTTP handler the gateway mounts beside the Node-RED
 * editor (NodeRedExtension.mount): the page and its script are public files (everything bundled,
 * no CDN); its data needs the editor's log-in (a bearer token):
 *
 *   GET  /api/scene                   every robot's scene and the arenas to choose from
 *   GET  /api/stream                  Server-Sent Events: `scene` (on connect and on a change), `frame`
 *   POST /api/robots/:id/reset        back to the start pose
 *   POST /api/robots/:id/arena        {arena: 'line-oval'}: another arena
 *   POST /api/robots/:id/button       {pressed: true|false}: the robot's start button
 */
export function robotViewHandler(room: RobotRoom, options: RobotViewOptions = {}): ViewHandler {
  const frameMs = options.frameMs ?? 50;
  const streams = new Set<ServerResponse>();
  const editorPath = options.editorPath ?? '/';
  if (!/^\/([\w-]+\/)*$/.test(editorPath)) throw new Error(`editorPath '${editorPath}' must look like / or /editor/`);
  const assets = new Map(
    Object.entries(files).map(([path, { type, file }]) => {
      const text = readFileSync(new URL(file, publicDir), 'utf8');
      return [path, { type, body: Buffer.from(file === 'index.html' ? text.replaceAll('{{EDITOR_PATH}}', editorPath) : text) }];
    }),
  );
  let timer: NodeJS.Timeout | undefined;

  const scenes = () => ({ robots: room.robots().map(sceneOf), arenas: arenaChoices() });
  const broadcast = (event: string, data: unknown) => {
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of streams) res.write(text);
  };
  const unlisten = room.onChange(() => broadcast('scene', scenes()));
  const frames = () => broadcast('frame', { robots: room.robots().map(frameOf) });

  const stream = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 2000\nevent: scene\ndata: ${JSON.stringify(scenes())}\n\n`);
    streams.add(res);
    timer ??= setInterval(frames, frameMs);
    req.on('close', () => {
      streams.delete(res);
      if (streams.size === 0) {
        clearInterval(timer);
        timer = undefined;
      }
    });
  };

  const handler = ((req, res, { path, user }) => {
    const method = req.method ?? 'GET';
    const asset = assets.get(path);
    if (asset && method === 'GET') {
      // The mount point itself: the page's relative URLs need the trailing slash.
      if (path === '/' && !(req.url ?? '').split('?')[0]!.endsWith('/')) {
        res.writeHead(302, { location: `${(req.url ?? '').split('?')[0]}/` });
        res.end();
        return;
      }
      res.writeHead(200, {
        'content-type': asset.type,
        'cache-control': 'no-cache',
        'content-length': asset.body.length,
        'content-security-policy': VIEW_CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
      });
      res.end(asset.body);
      return;
    }
    if (!path.startsWith('/api/')) return reply(res, 404, { code: 'NOT_FOUND', message: `no ${path} in the robot view` });
    if (!user) return reply(res, 401, loginRequired);
    if (method === 'GET' && path === '/api/scene') return reply(res, 200, scenes());
    if (method === 'GET' && path === '/api/stream') return stream(req, res);
    const action = /^\/api\/robots\/([^/]+)\/(reset|arena|button)$/.exec(path);
    if (method !== 'POST' || !action) return reply(res, 404, { code: 'NOT_FOUND', message: `no ${method} ${path} in the robot view` });
    const id = decodeURIComponent(action[1]!);
    if (!room.robots().some((r) => r.id === id)) return reply(res, 404, { code: 'ROBOT_UNKNOWN', message: `no robot '${id}' (robots: ${room.robots().map((r) => r.id).join(', ')})` });
    void readJson(req).then(
      (body) => {
        try {
          reply(res, 200, act(room, id, action[2]!, body));
        } catch (err) {
          const message = err instanceof ArenaError ? err.issues.map((i) => i.message).join('; ') : (err as Error).message;
          reply(res, 400, { code: 'REQUEST_INVALID', message });
        }
      },
      (err: Error) => reply(res, 400, { code: 'REQUEST_INVALID', message: err.message }),
    );
  }) as ViewHandler;

  handler.close = () => {
    unlisten();
    clearInterval(timer);
    timer = undefined;
    for (const res of streams) res.end();
    streams.clear();
  };
  return handler;
}

function act(room: RobotRoom, id: string, action: string, body: unknown): object {
  const fields = (body ?? {}) as Record<string, unknown>;
  switch (action) {
    case 'reset':
      room.reset(id);
      return { reset: id };
    case 'arena': {
      const arena = fields.arena;
      if (typeof arena !== 'string' || !shippedArenaIds().includes(arena)) {
        throw new Error(`arena: one of ${shippedArenaIds().join(', ')} (got ${JSON.stringify(arena)})`);
      }
      room.setArena(id, arena);
      return { arena };
    }
    default: {
      if (typeof fields.pressed !== 'boolean') throw new Error('pressed: true or false');
      const { board, wiring } = room.robot(id);
      if (wiring.button === undefined) throw new Error(`robot '${id}' has no start button`);
      if (fields.pressed) board.press(wiring.button);
      else board.release(wiring.button);
      return { pressed: fields.pressed };
    }
  }
}

function reply(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4096) throw new Error('the request body is larger than 4096 bytes');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error('the request body is not JSON');
  }
}
