import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStemlab } from '../../testing/cli.ts';
import { startCentral } from '@stemlab/broker';
import { createLogger } from '@stemlab/edge-agent';

// The department's commands: provisioning a gateway, the quarterly report.

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-central-cli-'));
  dirs.push(dir);
  return dir;
};

const run = runStemlab;

describe('stemlab provision gateway', () => {
  it('prints new credentials once, then rotates them', async () => {
    const dir = tmp();
    const first = await run(['provision', 'gateway', '--unit', 'thcs-q1-01', '--gateway', 'robot-club-1', '--data-dir', dir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/created credentials/);
    expect(first.stdout).toMatch(/mqtt.username: gw:thcs-q1-01:robot-club-1/);
    const second = await run(['provision', 'gateway', '--unit', 'thcs-q1-01', '--gateway', 'robot-club-1', '--data-dir', dir]);
    expect(second.stdout).toMatch(/rotated credentials/);
    const password = (out: string) => /mqtt.password: (\S+)/.exec(out)?.[1];
    expect(password(second.stdout)).not.toBe(password(first.stdout));
  });

  it('refuses a bad id with exit code 2, naming the flag', async () => {
    const { code, stderr } = await run(['provision', 'gateway', '--unit', 'Q 1', '--gateway', 'gw', '--data-dir', tmp()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--unit: "[^"]*" is not a valid unit id/);
  });
});

describe('stemlab report', () => {
  it('writes the quarter as CSV with Vietnamese headers, from the ledger', async () => {
    const dir = tmp();
    const central = await startCentral({ dataDir: dir, mqtt: { host: '127.0.0.1', port: 0 }, log: createLogger('silent') });
    await central.stop();
    const out = join(dir, 'q.csv');
    const { code } = await run(['report', '--quarter', '2025Q3', '--format', 'csv', '--lang', 'vi', '--data-dir', dir, '--out', out]);
    expect(code).toBe(0);
    const csv = readFileSync(out, 'utf8');
    expect(csv).toMatch(/2025Q3/);
    expect(csv).toMatch(/Trường/);
    expect(csv.split('\n').length).toBeGreaterThan(100); // every unit of the fleet has a row
  });

  it('says where the ledger is missing, and refuses a malformed quarter', async () => {
    const missing = await run(['report', '--quarter', '2025Q3', '--data-dir', join(tmp(), 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no central state at/);
    const bad = await run(['report', '--quarter', '2025-3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--quarter: expected a quarter such as 2025Q3/);
  });
});

describe('stemlab user add', () => {
  it('creates a person who can then log in to the central HTTP API', async () => {
    const dir = tmp();
    const added = await run(['user', 'add', '--username', 'an.nguyen', '--role', 'viewer', '--data-dir', dir]);
    expect(added.code).toBe(0);
    const password = /password \(shown only now\): (\S+)/.exec(added.stdout)?.[1];
    expect(password).toBeDefined();
    const central = await startCentral({ dataDir: dir, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, log: createLogger('silent') });
    try {
      const res = await fetch(`${central.httpUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'an.nguyen', password }) });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ role: 'viewer' });
    } finally {
      await central.stop();
    }
  });

  it('names what is wrong: a teacher without a unit', async () => {
    const { code, stderr } = await run(['user', 'add', '--username', 'binh', '--role', 'teacher', '--data-dir', tmp()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--unit: a teacher needs a unit/);
  });
});
