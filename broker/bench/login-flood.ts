/**
 * A legitimate gateway's CONNECT latency while 1,000 wrong-password CONNECTs arrive from 5
 * addresses (127.0.0.10-14, inside their connection bursts), against a real central: once as the
 * gateway's first log-in since the central started (a full slow check, queued ahead of the flood
 * by the login-work ranking) and once as a reconnect (the cheap check); then a teacher's tool
 * logging in with the account's password under such a flood on people's usernames. Goal: under 2 s.
 * Wrong-password sockets are closed after 3 s (a client's timeout), so the rest is dropped unhashed.
 *
 * The flood comes from a worker thread: an attacker's sockets are not the central's work, and
 * made on the central's own event loop they delayed the legitimate CONNECT by their own cost
 * (the machine's two cores are still shared, as with an attacker on the same host).
 */
import { createRequire } from 'node:module';
import { connect as netConnect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import mqttPacket from 'mqtt-packet';
import { pino } from 'pino';
import { createUser, openCentralState, provisionGatewayCommand } from '../src/index.ts';
import { startCentral } from '../src/central.ts';
import { tmpDir } from '../test/helpers.ts';
import { round, type BenchResult, type BenchSuite } from '../../bench/types.ts';

function connect(port: number, localAddress: string, clientId: string, username: string, password: string): { socket: Socket; connack: Promise<number | 'closed'> } {
  const socket = netConnect({ host: '127.0.0.1', port, localAddress });
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const connack = new Promise<number | 'closed'>((resolve) => {
    parser.on('packet', (p) => p.cmd === 'connack' && resolve(p.returnCode ?? 0));
    socket.on('data', (d) => parser.parse(d));
    socket.on('close', () => resolve('closed'));
    socket.on('error', () => resolve('closed'));
  });
  socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30, clientId, username, password: Buffer.from(password) }));
  return { socket, connack };
}

/** The flood, in a worker thread: 1,000 CONNECTs with wrong passwords from 5 addresses; each socket closed after 3 s. */
const FLOOD = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const mqttPacket = require(workerData.mqttPacket);
const { port, count, prefix, firstAddress } = workerData;
let open = count;
const sockets = [];
for (let i = 0; i < count; i++) {
  const id = prefix + i;
  const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.' + (firstAddress + (i % 5)) });
  const end = () => { if (!socket.ended) { socket.ended = true; if (--open === 0) parentPort.postMessage('done'); } };
  socket.on('data', end);
  socket.on('close', end);
  socket.on('error', end);
  socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30, clientId: id, username: id, password: Buffer.from('wrong-' + i) }));
  sockets.push(socket);
}
parentPort.postMessage('sent');
setTimeout(() => sockets.forEach((s) => s.destroy()), 3000);
`;

/** `prefix`: the flood's usernames (and client ids) are prefix + i; from 127.0.0.{firstAddress} to +4. */
function flood(port: number, prefix: string, firstAddress: number): { sent: Promise<void>; done: Promise<void> } {
  const worker = new Worker(FLOOD, { eval: true, workerData: { port, count: 1000, prefix, firstAddress, mqttPacket: createRequire(import.meta.url).resolve('mqtt-packet') } });
  const sent = new Promise<void>((resolve) => worker.on('message', (m) => m === 'sent' && resolve()));
  const done = new Promise<void>((resolve) => {
    worker.on('message', (m) => m === 'done' && resolve());
    worker.on('exit', () => resolve());
    worker.on('error', () => resolve());
  }).then(() => worker.terminate().then(() => undefined));
  return { sent, done };
}

async function timed(port: number, creds: { username: string; password: string }, clientId = creds.username, address = '127.0.0.2'): Promise<number> {
  const started = performance.now();
  const c = connect(port, address, clientId, creds.username, creds.password);
  const code = await c.connack;
  c.socket.destroy();
  if (code !== 0) throw new Error(`the legitimate ${creds.username} was refused (${code})`);
  return performance.now() - started;
}

export const loginFloodSuite: BenchSuite = {
  name: 'login-flood',
  title: "a gateway's CONNECT while 1,000 wrong-password CONNECTs arrive (goal ≤ 2 s)",
  async run(): Promise<BenchResult[]> {
    const dir = tmpDir();
    const central = await startCentral({ dataDir: dir.dir, mqtt: { host: '127.0.0.1', port: 0 }, log: pino({ level: 'silent' }), security: { allowAnonymous: false } });
    try {
      const creds = await provisionGatewayCommand(dir.dir, 'bench-unit', 'gw-1');
      const port = Number(new URL(central.mqttUrl).port);
      const results: BenchResult[] = [];
      for (const phase of ['first log-in', 'reconnect'] as const) {
        const wave = flood(port, 'gw:bench-unit:x-', 10);
        await wave.sent;
        await new Promise((r) => setTimeout(r, 200)); // the flood is read and queued first
        results.push({ name: `gateway CONNECT under flood, ${phase}`, value: round(await timed(port, creds), 1), unit: 'ms' });
        await wave.done;
      }
      // A teacher's tool (stemlab lesson deploy) logging in with the account's password, under a
      // flood of wrong passwords for people's usernames from 5 fresh addresses: the same bounded work.
      const db = await openCentralState(undefined, dir.dir);
      const teacher = { username: 'co.lan', password: 'bench-teacher-password' };
      await createUser(db, { ...teacher, role: 'teacher', unit: 'bench-unit' }, 'bench').finally(() => db.close());
      const wave = flood(port, 'nobody.', 20);
      await wave.sent;
      await new Promise((r) => setTimeout(r, 200));
      results.push({ name: "teacher's CONNECT (password) under a flood on people's usernames", value: round(await timed(port, teacher, 'teacher-tool-bench', '127.0.0.3'), 1), unit: 'ms' });
      await wave.done;
      const { ran, gone, busy } = central.security.loginWork.stats;
      results.push({ name: 'slow checks run / dropped unhashed / answered busy', value: ran, unit: `checks (${gone} dropped, ${busy} busy)` });
      return results;
    } finally {
      await central.stop();
      dir.remove();
    }
  },
};
