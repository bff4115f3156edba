/**
 * The central in a child process of the `broker` bench, as a gateway meets it: with the durable
 * ingest and the open anonymous rights, no rate limits (every client of the bench comes from
 * 127.0.0.1), silent. A process of its own, like Mosquitto, so that it does not share a thread
 * with the bench's clients (the throughput and round-trip figures), and so that its memory is
 * measured alone (the 10,000 connections): `node --import tsx --expose-gc central.ts DATA_DIR`.
 * Reports {port} when listening, {rss} (after a full GC) on 'rss', and stops on 'stop' or when
 * the bench goes away (the bench kills it in any case).
 */
import { pino } from 'pino';
import { startCentral } from '../../src/central.ts';
import { OPEN_ANONYMOUS } from '../../../testing/anonymous-rights.ts';

const dataDir = process.argv[2] ?? 'data/bench-central';
const central = await startCentral({
  dataDir,
  mqtt: { host: '127.0.0.1', port: 0 },
  log: pino({ level: 'silent' }),
  // Every connection comes from 127.0.0.1: the per-address connect rate would refuse the fleet.
  security: { ...OPEN_ANONYMOUS, connectsPerSecond: 0, publishesPerSecond: 0 },
});
process.send?.({ port: Number(new URL(central.mqttUrl).port) });

process.on('message', (message) => {
  if (message === 'rss') {
    (globalThis as { gc?: () => void }).gc?.();
    // Let the ingest commit the presence rows of the new connections before measuring.
    setTimeout(() => {
      (globalThis as { gc?: () => void }).gc?.();
      process.send?.({ rss: process.memoryUsage().rss, clients: central.broker.connectedClients });
    }, 200);
  } else if (message === 'stop') {
    void central.stop().then(() => process.exit(0));
  }
});
process.on('disconnect', () => void central.stop().then(() => process.exit(0)));
