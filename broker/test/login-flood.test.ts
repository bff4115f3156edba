/**
 * Log-ins cannot be starved (security/login-work.ts, authentication.ts): wrong-password CONNECTs
 * arriving together, from other addresses of the loopback network (127.0.0.x), against a real
 * central. Ordering, not wall time, is asserted: how many slow checks of the flood ran before the
 * real gateway got its CONNACK. The latency under a 1,000-CONNECT flood is a bench
 * (bench/login-flood.ts).
 */
import { connect as netConnect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { provisionGatewayCommand } from '../src/index.ts';
import { GATEWAY, startTestCentral, UNIT, type TestCentral } from './helpers.ts';

let central: TestCentral;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await central?.cleanup();
});

/** A raw MQTT 3.1.1 CONNECT from `localAddress`; resolves with the CONNACK's return code (or 'closed'). */
function rawConnect(port: number, localAddress: string, fields: { clientId: string; username?: string; password?: string }): { socket: Socket; connack: Promise<number | 'closed'> } {
  const socket = netConnect({ host: '127.0.0.1', port, localAddress });
  sockets.push(socket);
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const connack = new Promise<number | 'closed'>((resolve) => {
    parser.on('packet', (packet) => packet.cmd === 'connack' && resolve(packet.returnCode ?? 0));
    socket.on('data', (data) => parser.parse(data));
    socket.on('close', () => resolve('closed'));
    socket.on('error', () => resolve('closed'));
  });
  const packet = mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    clientId: fields.clientId,
    ...(fields.username !== undefined ? { username: fields.username } : {}),
    ...(fields.password !== undefined ? { password: Buffer.from(fields.password) } : {}),
  });
  socket.write(packet);
  return { socket, connack };
}

const port = () => Number(new URL(central.mqttUrl).port);

/** `n` wrong-password CONNECTs spread over `addresses` (127.0.0.10, .11, ...), for a known or unknown username. */
function flood(n: number, addresses: number, username: (i: number) => string) {
  return Array.from({ length: n }, (_, i) => rawConnect(port(), `127.0.0.${10 + (i % addresses)}`, { clientId: username(i), username: username(i), password: `wrong-${i}` }));
}

describe('log-ins under a flood of wrong passwords', () => {
  it('a gateway that never failed is checked before the flood waiting ahead of it', async () => {
    central = await startTestCentral({ security: { allowAnonymous: false, connectBurst: 1000 } });
    const creds = await provisionGatewayCommand(central.dataDir, UNIT, GATEWAY);
    const attackers = flood(60, 3, (i) => `gw:${UNIT}:robot-${i}`);
    expect(attackers).toHaveLength(60);
    // The flood is in before the gateway: its CONNECTs were read, their checks queued or running.
    await expect.poll(() => central.security.loginWork.queued).toBeGreaterThan(30);
    const legit = rawConnect(port(), '127.0.0.2', { clientId: creds.username, username: creds.username, password: creds.password });
    expect(await legit.connack).toBe(0);
    // At most the checks already running, and those that started before the first failures
    // ranked their addresses behind, went first; not the 60.
    const before = central.security.refusals['bad-credentials'];
    console.log(`wrong-password checks done before the gateway's CONNACK: ${before} of 60`);
    expect(before).toBeLessThan(10);
    for (const a of attackers) a.socket.destroy(); // what is left of the flood is dropped unhashed
  });

  it('does no slow check for a client that closed before its turn', async () => {
    central = await startTestCentral({ security: { allowAnonymous: false, connectBurst: 1000 } });
    const attackers = flood(40, 2, (i) => `someone-${i}`);
    await expect.poll(() => central.security.loginWork.queued).toBeGreaterThan(20);
    for (const a of attackers) a.socket.destroy();
    await Promise.all(attackers.map((a) => a.connack));
    await expect.poll(() => central.security.loginWork.queued).toBe(0);
    const { ran, gone } = central.security.loginWork.stats;
    console.log(`checks run ${ran}, dropped unhashed ${gone}`);
    expect(gone).toBeGreaterThan(20);
    expect(ran + gone).toBe(40);
  });

  it('refuses without hashing past the failures allowed per username and address and per address; a gateway whose secret already passed gets in at once', async () => {
    central = await startTestCentral({ security: { allowAnonymous: false, connectBurst: 1000, loginAttempts: { perUser: 3, perAddress: 8, windowMinutes: 15 } } });
    const creds = await provisionGatewayCommand(central.dataDir, UNIT, GATEWAY);
    expect(await rawConnect(port(), '127.0.0.2', { clientId: creds.username, username: creds.username, password: creds.password }).connack).toBe(0);
    // Someone on the gateway's own address guesses its secret: 3 checks, then refused unhashed.
    for (let i = 0; i < 6; i++) expect(await rawConnect(port(), '127.0.0.2', { clientId: creds.username, username: creds.username, password: `guess-${i}` }).connack).toBe(4);
    expect(central.security.refusals['bad-credentials']).toBe(3);
    expect(central.security.refusals['login-limit']).toBe(3);
    // The gateway itself, from that address, is let in by the cheap check.
    const ranBefore = central.security.loginWork.stats.ran;
    expect(await rawConnect(port(), '127.0.0.2', { clientId: creds.username, username: creds.username, password: creds.password }).connack).toBe(0);
    expect(central.security.loginWork.stats.ran).toBe(ranBefore);
    // One address trying many usernames: 8 failures, then refused unhashed whatever the username.
    for (let i = 0; i < 12; i++) expect(await rawConnect(port(), '127.0.0.3', { clientId: `u-${i}`, username: `u-${i}`, password: 'x' }).connack).toBe(4);
    expect(central.security.refusals['bad-credentials']).toBe(3 + 8);
    expect(central.security.refusals['login-limit']).toBe(3 + 4);
  });
});
