/**
 * Aedes 1.2 publishes `$SYS/{id}/new/clients` on every CONNECT and `$SYS/{id}/disconnect/clients`
 * on every close (aedes.js `_finishRegisterClient`, `unregisterClient`): a packet, a publish series
 * and an emitter match each, ≈5 % of the CPU of a CONNECT in a reconnect storm (issue 17).
 *
 * Who hears them: in a cluster, the other nodes (Aedes's closeSameClients closes their connection
 * of the id, and takeover.ts marks it): there they always go out. On a central alone, inside the
 * process only Aedes's own closeSameClients listens, and it does nothing for its own id (it acts
 * only for another node's); outside, an MQTT client subscribed to a filter that starts with '$'
 * (a classroom display may: the default anonymous rights allow `$SYS/#`). A filter that starts
 * with a wildcard never matches them ([MQTT-4.7.2-1], Aedes's blockDollarSignTopics). So on a
 * central alone they are published while at least one subscription to a '$' filter exists, as
 * before, and otherwise left out; the rest of each method (the client table, the count, the
 * 'client' and 'clientDisconnect' events the ingest's presence hangs on) is unchanged.
 *
 * The subscriptions are counted by their delivery function, which Aedes makes anew for each
 * subscription and passes to `broker.subscribe` and `broker.unsubscribe`: a Set, so a removal of
 * something never added cannot make the count too low; a subscribe that fails afterwards only
 * leaves the announcements on. The two methods are replaced by copies of Aedes 1.2's without the
 * publish; test/client-announcements.test.ts holds Aedes's source of both and fails if it changes.
 */
import type { Aedes, Client } from 'aedes';

interface Internals {
  connectedClients: number;
  clients: Record<string, Client>;
  deleteClient(id: string): void;
  emit(event: string, ...args: unknown[]): boolean;
  subscribe(topic: string, func: unknown, done?: unknown): void;
  unsubscribe(topic: string, func: unknown, done?: unknown): void;
  _finishRegisterClient(client: Client): void;
  unregisterClient(client: Client): void;
}

/** Only for a broker whose emitter is its own (no cluster). Returns the number of '$' subscriptions, for tests. */
export function announceClientsOnlyToListeners(broker: Aedes): () => number {
  const b = broker as unknown as Internals;
  const proto = Object.getPrototypeOf(broker) as Internals;
  const dollar = new Set<unknown>();
  const subscribe = b.subscribe;
  const unsubscribe = b.unsubscribe;
  b.subscribe = function (topic, func, done) {
    if (typeof topic === 'string' && topic.charCodeAt(0) === 36) dollar.add(func);
    subscribe.call(this, topic, func, done);
  };
  b.unsubscribe = function (topic, func, done) {
    unsubscribe.call(this, topic, func, done);
    if (typeof topic === 'string' && topic.charCodeAt(0) === 36) dollar.delete(func);
  };
  b._finishRegisterClient = function (client) {
    if (dollar.size > 0) return proto._finishRegisterClient.call(this, client);
    this.connectedClients++;
    this.clients[client.id] = client;
    this.emit('client', client);
  };
  b.unregisterClient = function (client) {
    if (dollar.size > 0) return proto.unregisterClient.call(this, client);
    this.deleteClient(client.id);
    this.emit('clientDisconnect', client);
  };
  return () => dollar.size;
}
