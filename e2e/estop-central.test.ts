import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser, provisionGatewayCommand, startCentral, type Central } from '@stemlab/broker';
import { composeGateway } from '@stemlab/compose';
import { createLogger, parseConfig } from '@stemlab/edge-agent';
import { robotKit } from '../edge-agent/test/helpers/sim-agent.ts';

// A room's e-stop seen from the department: a real agent (simulated kits) latches its e-stop, the
// central's API shows it on the unit and its gateway, the alert feed has it and the live stream
// says so, within seconds; the reset clears all three; a central restarted while it is latched
// learns the latch from the retained state. The agent logs in with its provisioned credentials and
// anonymous access is off, as at a school.

const UNIT = 'thcs-q1-01';
const GATEWAY = 'robot-club-1';
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function viewerToken(central: Central): Promise<string> {
  await createUser(central.ledger.sql, { username: 'so.gd', password: 'estop test password', role: 'viewer' }, 'test').catch(() => undefined);
  const res = await fetch(`${central.httpUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'so.gd', password: 'estop test password' }) });
  return ((await res.json()) as { token: string }).token;
}

async function get<T>(central: Central, token: string, path: string): Promise<T> {
  const res = await fetch(`${central.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

interface UnitBody { unit: { estopLatched: boolean; gateways: Array<{ id: string; estop: { latched: boolean; source: string | null } | null }> } }
interface AlertsBody { alerts: Array<{ kind: string; unit: string; gateway: string }> }

/** The first `event: change` of the live stream that names the unit with kind 'estop'. */
async function liveEstopChange(central: Central, token: string, signal: AbortSignal): Promise<unknown> {
  const res = await fetch(`${central.httpUrl}/api/v1/live`, { headers: { authorization: `Bearer ${token}` }, signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('live stream ended');
    buffer += value;
    for (const block of buffer.split('\n\n')) {
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (block.startsWith('event: change') && data?.includes('"estop"')) return JSON.parse(data);
    }
  }
}

describe('an e-stop latched on a real agent', () => {
  it('shows on the unit, in the alerts and on the live stream within seconds; a reset clears it; a restarted central still knows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-estop-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const options = { dataDir: join(dir, 'central'), log: createLogger('silent'), security: { allowAnonymous: false }, http: { host: '127.0.0.1', port: 0 }, reports: { archive: false } };
    let central = await startCentral({ ...options, mqtt: { host: '127.0.0.1', port: 0 } });
    const port = Number(new URL(central.mqttUrl).port);
    cleanup.push(() => central.stop());
    const creds = await provisionGatewayCommand(options.dataDir, UNIT, GATEWAY);
    const config = parseConfig({
      unit: UNIT, gateway: GATEWAY, room: 'robot-club', dataDir: join(dir, 'gw'), http: { port: 0 },
      // A short reconnect ceiling: the gateway retries all through the central's restart, and with
      // the default 60 s ceiling its doubling wait grew with how long a loaded machine took to
      // restart, past the 5 s polls below (the backoff's curve has its own tests).
      mqtt: { url: `mqtt://127.0.0.1:${port}`, username: creds.username, password: creds.password, reconnectMs: 100, reconnectMaxMs: 200, keepaliveS: 5, telemetryPerSecond: 0 },
      connection: { retryMinMs: 50, retryMaxMs: 200 }, kits: [robotKit('robot-1')],
    });
    const gw = await composeGateway(config, { log: createLogger('silent'), port: 0 });
    cleanup.push(() => gw.stop());
    let token = await viewerToken(central);
    const unit = () => get<UnitBody>(central, token, `/api/v1/units/${UNIT}`).then((b) => b.unit);
    await expect.poll(async () => (await unit()).gateways[0]?.estop).toEqual({ latched: false, at: null, source: null });

    const abort = new AbortController();
    cleanup.push(() => abort.abort());
    const streamed = liveEstopChange(central, token, abort.signal);
    gw.agent.estop.trigger('console');
    await expect.poll(async () => (await unit()).estopLatched, { timeout: 5000 }).toBe(true);
    expect((await unit()).gateways[0]?.estop).toMatchObject({ latched: true, source: 'console' });
    expect(await streamed).toEqual({ units: [{ unit: UNIT, kinds: ['estop'] }] });
    expect((await get<AlertsBody>(central, token, '/api/v1/alerts')).alerts).toContainEqual(expect.objectContaining({ kind: 'estop-latched', unit: UNIT, gateway: GATEWAY }));
    // The overview's list carries it too.
    const { units } = await get<{ units: Array<{ id: string; estopLatched: boolean }> }>(central, token, '/api/v1/units');
    expect(units.filter((u) => u.estopLatched).map((u) => u.id)).toEqual([UNIT]);

    // The central restarts while the latch holds: the retained birth tells the new one.
    await central.stop();
    central = await startCentral({ ...options, mqtt: { host: '127.0.0.1', port } });
    token = await viewerToken(central);
    await expect.poll(async () => (await unit()).estopLatched, { timeout: 5000 }).toBe(true);

    gw.agent.estop.reset('teacher');
    await expect.poll(async () => (await unit()).estopLatched, { timeout: 5000 }).toBe(false);
    expect((await unit()).gateways[0]?.estop).toMatchObject({ latched: false, source: 'teacher' });
    expect((await get<AlertsBody>(central, token, '/api/v1/alerts')).alerts.filter((a) => a.kind === 'estop-latched')).toEqual([]);
  });
});
