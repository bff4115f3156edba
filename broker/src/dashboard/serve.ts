/**
 * Serves the department's dashboard: `/` is index.html, `/dashboard/NAME` the other files of this
 * folder (plain HTML, CSS and JavaScript modules: no build step, nothing from elsewhere). The
 * files are read once when the API is built (they are small) and served from memory.
 *
 * Headers: a strict Content-Security-Policy (scripts and styles only from the central itself,
 * nothing inline, no frames), nosniff, no referrer. The file names carry no version, so every
 * response says `no-cache` with an ETag: the browser revalidates each load with a cheap 304 and
 * picks up a new version of the central at once.
 *
 * The charts are uPlot's (a small, well-kept MIT library, also the lab page's), served from the
 * installed package under the same names as this folder's files: nothing comes from the internet.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../api/errors.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const require = createRequire(import.meta.url);
/** Files of installed packages served as the dashboard's own: name → path. */
const VENDORED: Record<string, string> = {
  'uPlot.esm.js': require.resolve('uplot/dist/uPlot.esm.js'),
  'uPlot.min.css': require.resolve('uplot/dist/uPlot.min.css'),
};

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const files: Array<[string, string]> = [...readdirSync(dir).map((name): [string, string] => [name, join(dir, name)]), ...Object.entries(VENDORED)];
  for (const [name, path] of files) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(path);
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}

export function registerDashboard(app: FastifyInstance, dir = import.meta.dirname): void {
  const assets = loadAssets(dir);
  const send = (name: string, request: FastifyRequest, reply: FastifyReply) => {
    const asset = assets.get(name);
    if (!asset) throw new ApiError('NOT_FOUND', `no dashboard file '${name}'`);
    reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .header('etag', asset.etag);
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  };
  app.get('/', (request, reply) => send('index.html', request, reply));
  app.get<{ Params: { name: string } }>('/dashboard/:name', (request, reply) => send(request.params.name, request, reply));
}
