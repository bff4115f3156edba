/**
 * The broker thread's CPU per QoS 1 publish through the central's publish hooks alone, as
 * central.ts composes them (the PUBACK order around the security policy, then the ingest), with
 * no sockets, no Aedes and a ledger that commits at once: 4 clients, chunks of 64 usage events
 * each, a commit per round. What profile-ingest.ts cannot resolve on a shared machine (its
 * figure is ~100-300 µs a message end to end); this one is a fraction of a µs.
 *
 *   node --import tsx broker/bench/publish-hooks.ts [mixed]
 *
 * `mixed`: every tenth publish is a command reply (answered at once, behind the held events).
 * Not part of `stemlab bench`.
 */
import type { Client, PublishPacket } from 'aedes';
import { Ingest } from '../src/ingest/ingest.ts';
import type { Ledger } from '../src/ledger/ledger.ts';
import type { Queryable } from '../src/ledger/sql.ts';
import { SecurityPolicy } from '../src/security/policy.ts';
import { OPEN_ANONYMOUS } from '../../testing/anonymous-rights.ts';

const mixed = process.argv[2] === 'mixed';
const ledger = { insertBatch: (m: unknown[]) => Promise.resolve({ inserted: m.length, duplicates: 0, deadLetters: 0, staleWills: 0 }) } as unknown as Ledger;
const ingest = new Ingest({ ledger, presenceDelayMs: 1e9 });
const security = new SecurityPolicy({ ...OPEN_ANONYMOUS, db: {} as Queryable, publishesPerSecond: 0, next: (client, packet, callback) => ingest.authorizePublish(client, packet, callback) });
const hook = ingest.pubacks.inOrder(security.authorizePublish);
const clients = Array.from({ length: 4 }, (_, i) => ({ id: `gw:u-1:g-${i}`, closed: false }) as unknown as Client);
const payload = Buffer.from(JSON.stringify({ v: 1, eventId: 'x', seq: 1, at: 1, type: 'session.start' }));
let acked = 0;
const done = (): void => void acked++;

async function rounds(count: number): Promise<void> {
  for (let k = 0; k < count; k++) {
    for (const client of clients) {
      const gateway = client.id.slice('gw:u-1:'.length);
      for (let i = 0; i < 64; i++) {
        const topic = mixed && i % 10 === 9 ? `stemlab/v1/u-1/${gateway}/cmd/deploy/reply` : `stemlab/v1/u-1/${gateway}/usage`;
        hook(client, { cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false, messageId: i + 1 } as PublishPacket, done);
      }
    }
    await ingest.drain();
  }
}

await rounds(200); // warm-up
const before = acked;
const cpu0 = process.cpuUsage();
await rounds(4000);
const cpu = process.cpuUsage(cpu0);
const messages = acked - before;
console.log(`${((cpu.user + cpu.system) / messages).toFixed(3)} µs of CPU per QoS 1 publish${mixed ? ' (every tenth a reply)' : ''}, ${messages} publishes`);
