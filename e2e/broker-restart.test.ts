/**
 * A command sent to a gateway while its edge agent was offline survives a restart of the
 * central (its broker state on disk, or in Redis) and reaches the real agent when it comes back.
 * (The broker's own restart tests, with raw MQTT clients, are in broker/test/persistence.test.ts.)
 * As at a school: anonymous access off, the agent logs in with its provisioned credentials and
 * the command comes from the unit's teacher, logged in with the account's password.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayClientId, topics, type CommandReply } from '@stemlab/protocol';
import { createLogger } from '@stemlab/protocol/log';
import { createUser, openCentralState, provisionGatewayCommand, startCentral, type Central, type CentralOptions } from '@stemlab/broker';
import { parseConfig } from '@stemlab/edge-agent';
import { composeGateway } from '@stemlab/compose';
import { assertAvailable, shouldRun } from '../testing/requirements.ts';
import { redis, REDIS_URL } from '../testing/services.ts';
import { robotKit } from '../edge-agent/test/helpers/sim-agent.ts';
import { endSessions, sweepRedis } from '../broker/test/fixtures/redis-sweep.ts';
import { tmpDir } from '../broker/test/helpers.ts';

/** Redis database of this file (pub/sub is shared across databases; our names are unique). */
const REDIS_DB = 13;
const redisUp = await redis();
const log = createLogger('silent');
const TEACHER_PASSWORD = 'teacher-password-1';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const states: { name: string; state: NonNullable<CentralOptions['state']>; run: boolean }[] = [
  { name: 'on disk', state: { kind: 'disk' }, run: true },
  { name: 'in Redis', state: { kind: 'redis', url: `${REDIS_URL}/${REDIS_DB}` }, run: shouldRun('broker state in Redis', redisUp) },
];

function nextMessage(client: MqttClient, topic: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing on ${topic} within ${timeoutMs} ms`)), timeoutMs);
    client.on('message', (t, payload) => {
      if (t !== topic) return;
      clearTimeout(timer);
      resolve(payload.toString());
    });
  });
}

describe.each(states)('a central restarted with its state $name', ({ state, run }) => {
  it.runIf(run)('brings a command sent while the edge agent was offline to the real agent', async () => {
    if (state.kind === 'redis') assertAvailable('Redis', redisUp);
    const { dir, remove } = tmpDir();
    const unit = `t-${randomUUID().slice(0, 8)}`;
    const gatewayId = 'gw-1';
    const brokerIds: string[] = [];
    const clients: MqttClient[] = [];
    let port = 0;
    let central: Central | undefined;
    const start = async () => {
      central = await startCentral({ dataDir: `${dir}/central`, mqtt: { host: '127.0.0.1', port }, state, security: { allowAnonymous: false }, log });
      port = Number(new URL(central.mqttUrl).port);
      brokerIds.push(central.broker.id);
    };
    const connect = async (clientId: string) => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, reconnectPeriod: 0, username: 'co.lan', password: TEACHER_PASSWORD });
      clients.push(client);
      return client;
    };
    await start();
    const creds = await provisionGatewayCommand(`${dir}/central`, unit, gatewayId);
    const db = await openCentralState(undefined, `${dir}/central`);
    await createUser(db, { username: 'co.lan', password: TEACHER_PASSWORD, role: 'teacher', unit }, 'e2e').finally(() => db.close());
    cleanups.push(async () => {
      // Leave a shared Redis as we found it: no session, retained message or queued packet of ours.
      if (central && state.kind === 'redis') await endSessions(central.mqttUrl, [...clients.map((c) => c.options.clientId!), gatewayClientId(unit, gatewayId)], (id) => (id === creds.username ? { username: creds.username, password: creds.password } : { username: 'co.lan', password: TEACHER_PASSWORD }));
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await central?.stop();
      if (state.kind === 'redis') await sweepRedis(state.url!, unit, brokerIds);
      remove();
    });

    const config = parseConfig({
      unit,
      gateway: gatewayId,
      room: 'robot-club',
      dataDir: `${dir}/gateway`,
      http: { port: 0 },
      nodered: { enabled: false },
      connection: { retryMinMs: 50, retryMaxMs: 200, heartbeatMs: 100 },
      mqtt: { url: `mqtt://127.0.0.1:${port}`, reconnectMs: 100, username: creds.username, password: creds.password },
      kits: [robotKit('robot-1')],
    });
    const gateway = await composeGateway(config, { log, port: 0 });
    cleanups.push(() => gateway.stop());
    const ext = gateway.mqtt!;
    await gateway.agent.waitForKits('connected', 10_000);
    await expect.poll(() => ext.connected, { timeout: 5000 }).toBe(true);
    // The agent subscribes after CONNACK: wait until the broker has its subscription.
    // (Promise.resolve: the ledger's queries may become async.)
    await expect.poll(() => Promise.resolve(central!.ledger.gateway(unit, gatewayId)).then((g) => g?.online), { timeout: 5000 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await ext.stop();

    const operator = await connect(`console-${unit}`);
    await operator.publishAsync(topics.command(unit, gatewayId, 'estop'), JSON.stringify({ requestId: 'away', args: { source: 'central' } }), { qos: 1 });
    await central!.stop();
    await start();
    const watcher = await connect(`watch-${unit}`);
    const reply = nextMessage(watcher, topics.reply(unit, gatewayId, 'estop'), 10_000);
    await watcher.subscribeAsync(topics.reply(unit, gatewayId, 'estop'), { qos: 1 });
    await ext.start();
    expect(JSON.parse(await reply) as CommandReply).toMatchObject({ requestId: 'away', status: 'ok' });
    expect(gateway.agent.estop.latched).toBe(true);
  });
});
