/**
 * The listeners: MQTT over TLS and over WebSocket (ws and wss) next to plain MQTT, each through
 * the security policy, closing with the central; certificate problems as config errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CentralConfigError } from '../src/config.ts';
import { startCentral } from '../src/central.ts';
import { makeCerts, type TestCerts } from './fixtures/certs.ts';
import { startTestCentral, tmpDir, type TestCentral } from './helpers.ts';

let certs: TestCerts;
let central: TestCentral;
beforeAll(async () => {
  certs = makeCerts();
  central = await startTestCentral({
    state: { kind: 'memory' },
    tls: { host: '127.0.0.1', port: 0, cert: certs.serverCert, key: certs.serverKey },
    websocket: { host: '127.0.0.1', port: 0, path: '/mqtt' },
  });
});
afterAll(async () => {
  await central?.cleanup();
  certs?.remove();
});

const urlOf = (c: { listeners: readonly { scheme: string; url: string }[] }, scheme: string) => c.listeners.find((l) => l.scheme === scheme)!.url;

/** Subscribes `sub`, publishes from `pub`, resolves with what `sub` received. */
async function roundTrip(pub: MqttClient, sub: MqttClient): Promise<string> {
  const topic = `test/${randomUUID()}`;
  await sub.subscribeAsync(topic, { qos: 1 });
  const got = new Promise<string>((resolve) => sub.once('message', (_t, payload) => resolve(payload.toString())));
  await pub.publishAsync(topic, 'hello', { qos: 1 });
  return got;
}

describe('listeners', () => {
  it('lists every listener with the port it bound', () => {
    expect(central.listeners.map((l) => l.scheme)).toEqual(['mqtt', 'mqtts', 'ws']);
    expect(urlOf(central, 'mqtts')).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(urlOf(central, 'ws')).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    expect(central.mqttUrl).toBe(urlOf(central, 'mqtt'));
  });

  it('carries messages between MQTT over TLS, over WebSocket and plain MQTT clients', async () => {
    const tls = await mqtt.connectAsync(urlOf(central, 'mqtts'), { ca: certs.ca, reconnectPeriod: 0 });
    const ws = await mqtt.connectAsync(urlOf(central, 'ws'), { reconnectPeriod: 0 });
    const plain = await mqtt.connectAsync(central.mqttUrl, { reconnectPeriod: 0 });
    try {
      expect(await roundTrip(tls, ws)).toBe('hello');
      expect(await roundTrip(ws, plain)).toBe('hello');
      expect(await roundTrip(plain, tls)).toBe('hello');
      expect((tls.stream as { encrypted?: boolean }).encrypted).toBe(true);
    } finally {
      await Promise.all([tls.endAsync(), ws.endAsync(), plain.endAsync()]);
    }
  });

  it('refuses a client that does not trust the certificate, before any MQTT', async () => {
    let connected = 0;
    const count = () => connected++;
    central.broker.on('client', count);
    try {
      await expect(mqtt.connectAsync(urlOf(central, 'mqtts'), { ca: certs.otherCa, reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow(/self.signed|unable to (get|verify)/i);
      await expect(mqtt.connectAsync(urlOf(central, 'mqtts'), { reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow(/self.signed|unable to (get|verify)/i);
    } finally {
      central.broker.off('client', count);
    }
    expect(connected).toBe(0);
  });

  it('closes a WebSocket whose message is over the cap (1009) instead of buffering it', async () => {
    const socket = new WebSocket(urlOf(central, 'ws'), 'mqtt');
    await once(socket, 'open');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(Buffer.alloc(2 << 20));
    expect(await closed).toBe(1009);
  });

  it('applies the access policy on every listener', async () => {
    const { dir, remove } = tmpDir();
    const strict = await startCentral({
      dataDir: dir,
      mqtt: { host: '127.0.0.1', port: 0 },
      state: { kind: 'memory' },
      tls: { host: '127.0.0.1', port: 0, cert: certs.serverCert, key: certs.serverKey },
      websocket: { host: '127.0.0.1', port: 0 },
      log: pino({ level: 'silent' }),
    });
    try {
      for (const scheme of ['mqtts', 'ws']) {
        await expect(mqtt.connectAsync(urlOf(strict, scheme), { ca: certs.ca, reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/i);
      }
      expect(strict.security.refusals.anonymous).toBe(2);
    } finally {
      await strict.stop();
      remove();
    }
  });
});

describe('wss and stop', () => {
  it('serves MQTT over secure WebSocket and closes every listener and client on stop', async () => {
    const c = await startTestCentral({
      state: { kind: 'memory' },
      tls: { host: '127.0.0.1', port: 0, cert: certs.serverCert, key: certs.serverKey },
      websocket: { host: '127.0.0.1', port: 0, path: '/broker', tls: { cert: certs.serverCert, key: certs.serverKey } },
    });
    const wssUrl = urlOf(c, 'wss');
    expect(wssUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/broker$/);
    const wss = await mqtt.connectAsync(wssUrl, { ca: certs.ca, reconnectPeriod: 0 });
    const tls = await mqtt.connectAsync(urlOf(c, 'mqtts'), { ca: certs.ca, reconnectPeriod: 0 });
    expect(await roundTrip(wss, tls)).toBe('hello');
    // A wss client that does not trust the CA is refused too.
    await expect(mqtt.connectAsync(wssUrl, { ca: certs.otherCa, reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow();

    // A connection stuck before its TLS handshake does not hold the stop up.
    const { port } = new URL(urlOf(c, 'mqtts'));
    const stuck = connect(Number(port), '127.0.0.1');
    await once(stuck, 'connect');
    const closed = Promise.all([...[wss, tls].map((client) => new Promise<void>((resolve) => client.once('close', () => resolve()))), once(stuck, 'close')]);
    const t0 = Date.now();
    await c.cleanup();
    await closed;
    expect(Date.now() - t0).toBeLessThan(5000); // not the 10 s handshake timeout
    for (const listener of c.listeners) {
      await expect(mqtt.connectAsync(listener.url, { ca: certs.ca, reconnectPeriod: 0, connectTimeout: 2000 })).rejects.toThrow(/ECONNREFUSED/);
    }
    wss.end(true);
    tls.end(true);
  });
});

describe('certificate problems', () => {
  const start = (tls: { cert: string; key: string }, where: 'tls' | 'websocket') => {
    const { dir, remove } = tmpDir();
    const options = where === 'tls' ? { tls: { host: '127.0.0.1', port: 0, ...tls } } : { websocket: { host: '127.0.0.1', port: 0, tls } };
    return startCentral({ dataDir: dir, mqtt: { host: '127.0.0.1', port: 0 }, state: { kind: 'memory' }, log: pino({ level: 'silent' }), ...options }).finally(remove);
  };

  it('names the field and the file of a certificate that cannot be read', async () => {
    const missing = join(certs.dir, 'nope.crt');
    const err = await start({ cert: missing, key: certs.serverKey }, 'tls').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CentralConfigError);
    expect((err as CentralConfigError).issues).toEqual([{ path: 'tls.cert', message: `cannot read ${missing}: no such file` }]);
    const err2 = await start({ cert: certs.serverCert, key: missing }, 'websocket').catch((e: unknown) => e);
    expect((err2 as CentralConfigError).issues).toEqual([{ path: 'websocket.tls.key', message: `cannot read ${missing}: no such file` }]);
  });

  it('names a key that does not belong to the certificate, or a file that is not PEM', async () => {
    const err = await start({ cert: certs.serverCert, key: join(certs.dir, 'other-ca.key') }, 'tls').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CentralConfigError);
    expect((err as CentralConfigError).issues[0]!.path).toBe('tls.cert');
    expect((err as CentralConfigError).message).toMatch(/do not make a TLS certificate.*(key values mismatch|mismatch)/);
    const garbage = join(certs.dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate\n');
    const err2 = await start({ cert: garbage, key: certs.serverKey }, 'tls').catch((e: unknown) => e);
    expect((err2 as CentralConfigError).message).toContain(`${garbage} and ${certs.serverKey} do not make a TLS certificate`);
  });
});
