import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { RawReply, RouteError, type HttpApi, type RouteHandler } from '../api/http.ts';
import type { Agent } from '../agent.ts';
import { LabError } from './errors.ts';
import { maxDurationS, maxRateHz, type LabExperiments } from './experiments.ts';
import { experimentCsv, experimentXlsx, type Lang } from './export.ts';

/**
 * Who may do what in the lab, asked before every request: 'view' (the page, readings, exports)
 * or 'run' (start, mark, stop) on the given kits. The default lets everyone on the local API
 * through, as the rest of the local API does today; the console's log-in plugs in here.
 */
export type LabAccess = (action: 'view' | 'run', kits: readonly string[]) => void;

const require = createRequire(import.meta.url);
const pageFile = (name: string) => new URL(`./page/${name}`, import.meta.url);
/** The page and its chart library, served by the agent itself: the lab works with no internet. */
const assets: Record<string, { file: URL | string; type: string }> = {
  'lab.js': { file: pageFile('lab.js'), type: 'text/javascript; charset=utf-8' },
  'lab.css': { file: pageFile('lab.css'), type: 'text/css; charset=utf-8' },
  'i18n.js': { file: pageFile('i18n.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.iife.min.js': { file: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

function lang(params: Record<string, string>): Lang {
  return params.lang === 'en' ? 'en' : 'vi';
}

/** A LabError as the API's error reply, with its Vietnamese message beside the English one. */
function guarded(handler: RouteHandler): RouteHandler {
  return async (body, params, caller) => {
    try {
      return await handler(body, params, caller);
    } catch (err) {
      if (err instanceof LabError) throw new RouteError(err.status, err.code, err.message, { messageVi: err.messageVi });
      throw err;
    }
  };
}

/** The lab page (`/lab`) and its API (`/api/v1/lab/...`, see edge-agent/README.md). */
export function labRoutes(api: HttpApi, agent: Agent, lab: LabExperiments, access: LabAccess = () => undefined): void {
  // The page's own files are public (they hold no data); every lab API call needs a logged-in
  // classroom account: any role may view and run experiments (students record on their bench),
  // see docs/agent-security.md.
  const open = { access: 'open' } as const;
  const user = { access: 'user' } as const;
  const page = (name: string) => {
    const asset = assets[name]!;
    return () => new RawReply(asset.type, readFileSync(asset.file), { 'cache-control': 'no-cache' });
  };
  const html = () => new RawReply('text/html; charset=utf-8', readFileSync(pageFile('index.html')), { 'cache-control': 'no-cache' });
  api.route('GET', '/lab', html, open);
  api.route('GET', '/lab/', html, open);
  for (const name of Object.keys(assets)) api.route('GET', `/lab/${name}`, page(name), open);

  const kitsOf = (id: string) => lab.get(id).kits;
  api.route('GET', '/api/v1/lab', guarded(() => {
    access('view', []);
    const busy = lab.busyKits();
    return {
      gateway: agent.config.gateway,
      label: agent.config.label,
      limits: { minRateHz: 1, maxRateHz, maxDurationS },
      kits: agent.config.kits.map((kit) => ({ id: kit.id, label: kit.label ?? kit.id, state: agent.kit(kit.id).status().state, busy: busy[kit.id] })),
      sensors: lab.sensors,
      experiments: lab.list().slice(0, 50),
    };
  }), user);
  api.route('POST', '/api/v1/lab/experiments', guarded((body) => {
    const sensors = (body as { sensors?: unknown } | undefined)?.sensors;
    access('run', Array.isArray(sensors) ? [...new Set(sensors.map((s) => String(s).split('/')[0]!))] : []);
    return { experiment: lab.begin(body) };
  }), user);
  api.route('GET', '/api/v1/lab/experiments/:id', guarded((_, { id }) => {
    access('view', kitsOf(id!));
    return { experiment: lab.get(id!) };
  }), user);
  api.route('GET', '/api/v1/lab/experiments/:id/readings', guarded((_, { id, since: from }) => {
    access('view', kitsOf(id!));
    const since = Math.max(0, Number.parseInt(from ?? '0', 10) || 0);
    const rows = lab.rows(id!, since);
    return { experiment: lab.get(id!), since, next: since + rows.length, rows };
  }), user);
  api.route('POST', '/api/v1/lab/experiments/:id/marks', guarded((body, { id }) => {
    access('run', kitsOf(id!));
    return { experiment: lab.mark(id!, body) };
  }), user);
  api.route('POST', '/api/v1/lab/experiments/:id/stop', guarded((_, { id }) => {
    access('run', kitsOf(id!));
    return { experiment: lab.end(id!) };
  }), user);
  api.route('GET', '/api/v1/lab/experiments/:id/export.csv', guarded((_, params) => {
    const id = params.id!;
    access('view', kitsOf(id));
    const meta = lab.get(id);
    return new RawReply('text/csv; charset=utf-8', experimentCsv(meta, lab.rows(id), lang(params)), { 'content-disposition': `attachment; filename="${meta.id}.csv"` });
  }), user);
  api.route('GET', '/api/v1/lab/experiments/:id/export.xlsx', guarded(async (_, params) => {
    const id = params.id!;
    access('view', kitsOf(id));
    const meta = lab.get(id);
    const xlsx = await experimentXlsx(meta, lab.rows(id), lang(params));
    return new RawReply('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', xlsx, { 'content-disposition': `attachment; filename="${meta.id}.xlsx"` });
  }), user);
}
