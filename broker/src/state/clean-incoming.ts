/**
 * Aedes 1.2 clears a clean-session client's stored incoming QoS 2 packets when its connection
 * closes (lib/client.js close: `persistence.cleanIncoming(client)`), by client id, also for a
 * client whose CONNECT was refused and that never logged in. Two problems, both ours to avoid:
 *
 * - a refused CONNECT that names another client's id (a gateway's `gw:…`) would delete that
 *   client's incoming state, the dedup entries of its QoS 2 publishes in flight;
 * - each is a LevelDB range delete (~1 ms): under a flood of wrong passwords it was the largest
 *   cost of each refused connection, and what kept a legitimate gateway's CONNECT waiting behind
 *   the flood's teardowns (login-flood bench; profile in the o14 report).
 *
 * So the deletion runs only for a client that was authorized. A client that never logged in
 * stored nothing (Aedes stores incoming packets only after CONNACK), so nothing is left behind.
 */
interface CleanIncoming {
  cleanIncoming?: (client: { _authorized?: boolean }) => Promise<void>;
}

export function skipCleanIncomingOfRefused(persistence: object): void {
  const p = persistence as CleanIncoming;
  const original = p.cleanIncoming?.bind(persistence);
  if (!original) return;
  p.cleanIncoming = (client) => (client._authorized ? original(client) : Promise.resolve());
}
