/**
 * `stemlab ingest` (src/ingest/client.ts) behind Mosquitto, in a child process of the `broker`
 * bench: a process of its own, like the central it is compared with, so that it does not share a
 * thread with the bench's publishers. `node --import tsx ingest-client.ts LEDGER_FILE URL CLIENT_ID
 * UNIT TOTAL`. Reports {ready} once subscribed, {committed} as soon as TOTAL messages are
 * committed, and on 'stop' stops the client, the ingest and the ledger, then reports
 * {stopped, committed} (the committed count so far) and exits.
 */
import { pino } from 'pino';
import { IngestClient } from '../../src/ingest/client.ts';
import { Ingest } from '../../src/ingest/ingest.ts';
import { openLedger } from '../../src/ledger/ledger.ts';

const [file = 'ingest-client.sqlite', url = 'mqtt://127.0.0.1:1883', clientId = 'bench-ingest', unit = 'bench', totalText = '0'] = process.argv.slice(2);
const total = Number(totalText);
const silent = pino({ level: 'silent' });

const ledger = await openLedger({ kind: 'sqlite', file });
const ingest = new Ingest({ ledger, log: silent });
const client = new IngestClient({ ingest, url, clientId, units: [unit], healthIntervalMs: 0, log: silent });
let committed = 0;
ingest.on('commit', (c) => {
  const before = committed;
  committed += c.messages;
  if (before < total && committed >= total) process.send?.({ committed });
});
await client.start();
process.send?.({ ready: true });

let stopping: Promise<void> | undefined;
const stop = () =>
  (stopping ??= (async () => {
    await client.stop();
    await ingest.stop();
    await ledger.close();
  })());
process.on('message', (message) => {
  if (message === 'stop') void stop().then(() => process.send?.({ stopped: true, committed }, () => process.exit(0)));
});
process.on('disconnect', () => void stop().then(() => process.exit(0)));
