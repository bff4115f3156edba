/**
 * Aedes asks its persistence to clear the message id of every PUBACK a subscriber sends
 * (lib/handlers/puback.js), but it stores an outgoing QoS 1 packet only for a persistent session
 * (clean: false): a clean client's deliveries go straight to its socket (lib/client.js,
 * deliverQoS). For a clean client the clear is a lookup that finds nothing (a LevelDB read per
 * acknowledged message on disk, a Redis round trip in a cluster): measured as the broker's
 * largest single cost when a clean subscriber takes a stream of QoS 1 messages (the dashboard,
 * `stemlab ingest`). It is answered at once for clean clients; persistent sessions are untouched.
 */
import type { Persistence } from 'aedes-persistence-level';

interface Clearable {
  outgoingClearMessageId(client: { clean?: boolean }, packet: unknown): Promise<unknown>;
}

export function skipCleanAcks<P extends Persistence | undefined>(persistence: P): P {
  if (!persistence) return persistence;
  const p = persistence as unknown as Clearable;
  const clear = p.outgoingClearMessageId.bind(persistence);
  p.outgoingClearMessageId = (client, packet) => (client.clean === true ? Promise.resolve(undefined) : clear(client, packet));
  return persistence;
}
