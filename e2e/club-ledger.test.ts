import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quarterlyReport, startCentral } from '@stemlab/broker';
import { createLogger, parseConfig, type SessionSummary } from '@stemlab/edge-agent';
import { composeGateway } from '@stemlab/compose';
import { robotKit } from '../edge-agent/test/helpers/sim-agent.ts';
import { quarterOf } from '../broker/src/reports/quarter.ts';
import { OPEN_ANONYMOUS } from '../testing/anonymous-rights.ts';

// A robot club session's summary on the gateway against the central's ledger, through a real
// Aedes: the kits' usage records reach the ledger with the session's tags (lesson, class,
// session, team), and the minutes of use the summary gives per kit are the ledger's: the kit
// sessions' durations it stored, and the quarterly report's time in use for the unit's robots.

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function until(test: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await test())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("a club session's summary and the central's ledger", () => {
  it('give the same minutes of use per kit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-e2e-club-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const central = await startCentral({ dataDir: join(dir, 'central'), mqtt: { host: '127.0.0.1', port: 0 }, log: createLogger('silent'), security: OPEN_ANONYMOUS });
    cleanup.push(() => central.stop());
    // A unit of the shipped registry, so that the quarterly report covers it.
    const unit = 'thcs-q1-01';
    const config = parseConfig({
      unit,
      gateway: 'robot-club-1',
      room: 'robot-club',
      dataDir: join(dir, 'gw'),
      http: { port: 0 },
      mqtt: { url: central.mqttUrl, reconnectMs: 100, keepaliveS: 5, telemetryPerSecond: 0 },
      connection: { retryMinMs: 50, retryMaxMs: 200 },
      safety: { watchdogMs: 10_000 },
      nodered: { enabled: false },
      kits: [robotKit('robot-1'), robotKit('robot-2')],
    });
    const gw = await composeGateway(config, { log: createLogger('silent'), port: 0 });
    cleanup.push(() => gw.stop());
    await gw.agent.waitForKits('connected', 10_000);
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${gw.api.url}${path}`, { method, headers: { authorization: `Bearer ${gw.api.auth.token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) }).then((r) => r.json() as Promise<unknown>);

    const started = (await api('POST', '/api/v1/club/sessions', { lessonId: 'motors', classId: '9C', teams: [{ name: 'A', kit: 'robot-1' }, { name: 'B', kit: 'robot-2' }] })) as { session: { id: string } };
    const id = started.session.id;
    gw.agent.command('robot-1', 'left', { action: 'forward', speed: 120 }, 'api', 'api:teacher');
    gw.agent.command('robot-2', 'led', { action: 'on' }, 'api', 'api:teacher');
    await new Promise((r) => setTimeout(r, 400));
    gw.agent.command('robot-1', 'left', { action: 'stop' }, 'api', 'api:teacher');
    gw.agent.command('robot-2', 'right', { action: 'forward', speed: 80 }, 'api', 'api:teacher');
    await new Promise((r) => setTimeout(r, 300));
    const { summary } = (await api('POST', `/api/v1/club/sessions/${id}/end`)) as { summary: SessionSummary };

    const kitEnds = async () => (await central.ledger.events(unit, 'robot-club-1')).filter((e) => e.type === 'session.end' && e.component === null);
    await until(async () => gw.outbox.stats().pending === 0 && (await kitEnds()).length >= 2, 20_000, 'the usage records to reach the ledger');
    const rows = await kitEnds();
    for (const team of summary.teams) {
      const mine = rows.filter((r) => r.kit === team.kit).map((r) => r.event as Extract<typeof r.event, { type: 'session.end' }>);
      expect(mine.length).toBeGreaterThan(0);
      for (const e of mine) expect(e.session.purpose).toEqual({ kind: 'club-session', lessonId: 'motors', classId: '9C', clubSessionId: id, teamId: team.id, by: 'local' });
      const ledgerMs = mine.reduce((sum, e) => sum + e.session.durationMs, 0);
      expect(ledgerMs).toBeGreaterThan(0);
      expect(team.usedMs).toBe(ledgerMs);
      expect(team.minutes).toBe(Math.round(ledgerMs / 6000) / 10);
    }
    // The quarterly report's time in use of the unit's robots is the same sum (all this gateway's use was the session).
    const report = await quarterlyReport(central.ledger, quarterOf(Date.now()));
    const robots = report.kits.find((k) => k.unit === unit && k.category === 'robots')!;
    expect(robots.usedMs).toBe(summary.teams.reduce((sum, t) => sum + t.usedMs, 0));
    expect(robots.sessions).toBe(summary.teams.reduce((sum, t) => sum + t.usageSessions, 0));
  }, 30_000);
});
