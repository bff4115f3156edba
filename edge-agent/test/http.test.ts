import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeGateway, type ComposedGateway } from '@stemlab/compose';
import { createLogger } from '../src/core/log.ts';
import { parseConfig } from '../src/config/load.ts';
import { robotKit } from './helpers/sim-agent.ts';
import { readLocalToken } from '../src/api/auth.ts';

// The local API as the CLI tools on the Pi use it (with the agent's local token): the envelope,
// the error codes and their HTTP statuses, bodies it refuses, and /metrics for Prometheus.
// Who may call what is edge-agent/test/http-security.test.ts.

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function gateway(): Promise<ComposedGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-http-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const config = parseConfig({
    unit: 'thcs-test-01',
    gateway: 'gw-http',
    room: 'robot-club',
    dataDir: dir,
    http: { port: 0 },
    mqtt: { enabled: false },
    nodered: { enabled: false },
    connection: { retryMinMs: 50, retryMaxMs: 200, heartbeatMs: 100 },
    kits: [robotKit('robot-1')],
  });
  const gw = await composeGateway(config, { log: createLogger('silent'), port: 0 });
  cleanup.push(() => gw.stop());
  await gw.agent.waitForKits('connected', 10_000);
  token = readLocalToken(dir) ?? '';
  return gw;
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The local token of the gateway last started (the CLI tools' log-in). */
let token = '';
const post = (url: string, body: string, type = 'application/json') =>
  call(url, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${token}` }, body });

describe('the local API', () => {
  it('answers in the envelope, with each error code at its HTTP status', async () => {
    const gw = await gateway();
    const base = gw.api.url;
    expect(await call(`${base}/healthz`)).toEqual({ status: 200, body: { status: 'ok', gateway: 'gw-http' } });
    expect((await call(`${base}/api/v1/status`)).body).toMatchObject({ status: 'ok', unit: 'thcs-test-01', kits: [{ id: 'robot-1', state: 'connected' }] });
    const command = `${base}/api/v1/kits/robot-1/components/led`;
    expect(await post(command, '{"action":"on"}')).toMatchObject({ status: 200, body: { status: 'ok', result: { on: true } } });
    // An empty JSON body is an invalid command; another content type (a form a foreign page can
    // send without asking) is refused before it is read.
    expect((await post(`${base}/api/v1/kits/robot-1/components/led`, '')).body).toMatchObject({ status: 'error', code: 'COMMAND_INVALID' });
    expect(await post(command, '{"action":"off"}', 'application/x-www-form-urlencoded')).toMatchObject({ status: 415, body: { code: 'CONTENT_TYPE' } });
    expect(await post(`${base}/api/v1/kits/robot-9/components/led`, '{}')).toMatchObject({ status: 404, body: { code: 'KIT_UNKNOWN' } });
    expect(await post(command, '{"action":')).toMatchObject({ status: 400, body: { status: 'error', code: 'BODY_INVALID', message: expect.stringMatching(/not JSON/) } });
    expect(await post(command, JSON.stringify({ action: 'on', pad: 'x'.repeat(20_000) }))).toMatchObject({ status: 400, body: { code: 'BODY_INVALID', message: expect.stringMatching(/larger than 16384 bytes/) } });
    expect(await call(`${base}/api/v1/nothing`)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: expect.stringMatching(/no GET \/api\/v1\/nothing/) } });
    expect((await post(`${base}/api/v1/estop`, '{"source":"test"}')).body).toMatchObject({ estop: { latched: true, source: 'test' } });
    expect(await post(`${base}/api/v1/kits/robot-1/components/left`, '{"action":"forward","speed":90}')).toMatchObject({ status: 409, body: { code: 'ESTOP_LATCHED' } });
  });

  it('serves /metrics for Prometheus: the process, event-loop lag, GC, kits, outbox and e-stop of this gateway', async () => {
    const gw = await gateway();
    gw.agent.estop.trigger('test');
    const response = await fetch(`${gw.api.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const name of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_gc_duration_seconds']) expect(text).toContain(`# TYPE ${name}`);
    const labels = 'unit="thcs-test-01",gateway="gw-http"';
    expect(text).toContain(`stemlab_kits_configured{${labels}} 1`);
    expect(text).toContain(`stemlab_kits_connected{${labels}} 1`);
    expect(text).toContain(`stemlab_estop_latched{${labels}} 1`);
    expect(text).toMatch(new RegExp(`stemlab_outbox_pending_events\\{${labels}\\} \\d+`));
  });
});
