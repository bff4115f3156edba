/**
 * `stemlab lesson deploy` logs in to the broker as a person (issue 14.7), against a real central
 * with anonymous access off: without a log-in, or with a wrong password, it stops with a message
 * naming the fix (exit 2); a teacher of another unit is told the gateway is not theirs and nothing
 * is sent (exit 1); the right teacher's token (STEMLAB_TOKEN) gets through to the gateway's
 * command topic (here the gateway is offline: no reply, the command expires). With anonymous
 * access on and `security.anonymous` left out, an anonymous deploy is dropped by the broker and
 * the tool says a log-in may be what is missing.
 * (The whole path to a gateway's Node-RED and back: e2e/lesson-deploy.test.ts and the demo's test.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser, issueToken, openCentralState, startCentral, type Central } from '@stemlab/broker';
import { runStemlab } from '../../testing/cli.ts';

const UNIT = 'thcs-q1-01';
const PASSWORD = 'teacher-password-1';
let central: Central;
let dir: string;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stemlab-deploy-auth-'));
  central = await startCentral({ dataDir: dir, mqtt: { host: '127.0.0.1', port: 0 }, security: { allowAnonymous: false }, log: pino({ level: 'silent' }) });
  const db = await openCentralState(undefined, dir);
  try {
    await createUser(db, { username: 'co.lan', password: PASSWORD, role: 'teacher', unit: UNIT }, 'test');
    await createUser(db, { username: 'co.hoa', password: PASSWORD, role: 'teacher', unit: 'thcs-q3-02' }, 'test');
    token = (await issueToken(db, 'co.lan', 3_600_000, 'test')).token;
  } finally {
    await db.close();
  }
});
afterAll(async () => {
  await central?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const deploy = (extra: string[], env?: NodeJS.ProcessEnv) => runStemlab(['lesson', 'deploy', 'blink', '--to', `${UNIT}/robot-club-1`, '--broker', central.mqttUrl, '--timeout', '1', ...extra], env);

describe('stemlab lesson deploy logs in to the broker', () => {
  it('without a log-in: says the broker needs one and how to give it', async () => {
    const r = await deploy([], { STEMLAB_USERNAME: '', STEMLAB_PASSWORD: '', STEMLAB_TOKEN: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a log-in \(anonymous access is off\): give --username and --password \(or --token\)/);
  });

  it('with a wrong password: names the account and the fix', async () => {
    const r = await deploy(['--username', 'co.lan', '--password', 'not-the-password']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused the log-in of 'co.lan': wrong password or token/);
    expect(r.stderr).toMatch(/stemlab user set --username co.lan --new-password/);
  });

  it("as another unit's teacher: refused before anything is sent", async () => {
    const r = await deploy(['--username', 'co.hoa', '--password', PASSWORD]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/thcs-q1-01\/robot-club-1: not allowed: 'co.hoa' may command only the gateways of its own unit/);
    expect(central.security.refusals['publish-not-allowed']).toBe(0);
  });

  it("as the unit's teacher with a token from the environment: the command goes out (the gateway is offline: no reply)", async () => {
    const r = await deploy([], { STEMLAB_USERNAME: 'co.lan', STEMLAB_TOKEN: token });
    expect(r.stdout).toMatch(/thcs-q1-01\/robot-club-1: no reply within 1 s/);
    expect(r.code).toBe(1);
    expect(central.security.refusals['publish-not-allowed']).toBe(0);
  });
});

describe('stemlab lesson deploy without a log-in, anonymous access on and its rights left out', () => {
  it('is dropped by the broker (counted), and the tool says a log-in may be what is missing', async () => {
    const labDir = mkdtempSync(join(tmpdir(), 'stemlab-deploy-anon-'));
    const lab = await startCentral({ dataDir: labDir, mqtt: { host: '127.0.0.1', port: 0 }, security: { allowAnonymous: true }, log: pino({ level: 'silent' }) });
    try {
      const r = await runStemlab(['lesson', 'deploy', 'blink', '--to', `${UNIT}/robot-club-1`, '--broker', lab.mqttUrl, '--timeout', '1'], { STEMLAB_USERNAME: '', STEMLAB_PASSWORD: '', STEMLAB_TOKEN: '' });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/robot-club-1: no reply within 1 s .*without a log-in, commands need the central's security\.anonymous to allow them/);
      expect(lab.security.refusals['publish-not-allowed']).toBe(1);
    } finally {
      await lab.stop();
      rmSync(labDir, { recursive: true, force: true });
    }
  });
});
