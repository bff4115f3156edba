import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStemlab } from '../testing/cli.ts';
import { createUser, openCentralState, provisionGatewayCommand, startCentral } from '@stemlab/broker';
import { createLogger, parseConfig, setupEditorAccounts } from '@stemlab/edge-agent';
import { composeGateway } from '@stemlab/compose';
import { robotKit } from '../edge-agent/test/helpers/sim-agent.ts';

// A teacher deploys a lesson to the club's gateways over MQTT: each gateway installs it in its
// Node-RED and replies; the lesson then drives the simulated robot; a rollback puts things back.
// Anonymous access is off: the gateway logs in with its credentials, the teacher with their account.
// (One Node-RED per process: this file runs one gateway with an editor.)

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const run = runStemlab;

describe('stemlab lesson deploy', () => {
  // Node-RED plus three `stemlab` processes in turn: more than the default 30 s on a busy 2-core machine.
  it('installs a lesson on the gateway over MQTT, replies per gateway, and rolls back', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-lesson-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const central = await startCentral({ dataDir: join(dir, 'central'), mqtt: { host: '127.0.0.1', port: 0 }, security: { allowAnonymous: false }, log: createLogger('silent') });
    cleanup.push(() => central.stop());
    const creds = await provisionGatewayCommand(join(dir, 'central'), 'thcs-e2e-02', 'gw-lesson');
    const db = await openCentralState(undefined, join(dir, 'central'));
    await createUser(db, { username: 'co.lan', password: 'teacher-password-1', role: 'teacher', unit: 'thcs-e2e-02' }, 'e2e').finally(() => db.close());
    const teacher = ['--username', 'co.lan', '--password', 'teacher-password-1'];
    const config = parseConfig({
      unit: 'thcs-e2e-02',
      gateway: 'gw-lesson',
      room: 'robot-club',
      dataDir: join(dir, 'gw'),
      http: { port: 0 },
      mqtt: { url: central.mqttUrl, reconnectMs: 100, username: creds.username, password: creds.password },
      kits: [robotKit('robot-1')],
    });
    await setupEditorAccounts(config.dataDir, 1);
    const gateway = await composeGateway(config, { log: createLogger('silent'), port: 0 });
    cleanup.push(() => gateway.stop());
    await gateway.agent.waitForKits('connected', 10_000);
    expect(gateway.nodered?.state).toBe('running');
    await expect.poll(() => gateway.mqtt?.connected === true, { message: 'the gateway connected to the central broker' }).toBe(true);

    const board = gateway.simulator!.board('robot-1');
    let toggles = 0;
    board.on('pin', (s) => s.pin === 13 && toggles++);
    const deployed = await run(['lesson', 'deploy', 'blink', '--variant', 'solution', '--to', 'thcs-e2e-02/gw-lesson', '--broker', central.mqttUrl, ...teacher]);
    expect(deployed.stdout).toMatch(/thcs-e2e-02\/gw-lesson: ok/);
    expect(deployed.code).toBe(0);
    // The solution toggles the LED every 0.5 s through the agent.
    await board.waitForPin(13, () => toggles >= 2, 5000);

    const rolledBack = await run(['lesson', 'deploy', '--rollback', '--to', 'thcs-e2e-02/gw-lesson', '--broker', central.mqttUrl, ...teacher]);
    expect(rolledBack.stdout).toMatch(/gw-lesson: ok/);
    const after = toggles;
    await new Promise((r) => setTimeout(r, 1200));
    expect(toggles - after).toBeLessThanOrEqual(1);

    const missing = await run(['lesson', 'deploy', 'blink', '--to', 'thcs-e2e-02/gw-lesson,thcs-e2e-02/gw-away', '--broker', central.mqttUrl, '--timeout', '2', ...teacher]);
    expect(missing.stdout).toMatch(/gw-lesson: ok/);
    expect(missing.stdout).toMatch(/gw-away: no reply within 2 s/);
    expect(missing.code).toBe(1);
  });
});
