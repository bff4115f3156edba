/**
 * A gateway that moves from node A to node B of a cluster (it reconnected, and its DNS or load
 * balancer sent it elsewhere) is announced by B on `$SYS/{B}/new/clients`; A then closes its own
 * connection of that client id [MQTT-3.1.4-2, across nodes]. A's 'clientDisconnect' comes after
 * B's 'client', so writing it to the ledger would mark a connected gateway offline. This marks
 * the clients another node took over, so the central skips their disconnect: only the latest
 * connection's end counts.
 *
 * The listener must be on the emitter before Aedes's own (which closes the client, and may emit
 * 'clientDisconnect' synchronously when the client has no subscriptions): mqemitter calls the
 * listeners of a message in the order they were added, within one turn. So it is added before
 * Aedes.createBroker, and learns the broker through `bind`.
 */
import type { Aedes, Client } from 'aedes';
import type { Emitter } from './emitter.ts';

export class Takeovers {
  private readonly taken = new WeakSet<Client>();
  private broker: Aedes | undefined;

  constructor(mq: Emitter) {
    mq.on('$SYS/+/new/clients', (packet, done) => {
      const node = packet.topic.split('/')[1];
      // `clients` (id → live client) is Aedes's own table; its types leave it out.
      const clients = (this.broker as unknown as { clients?: Record<string, Client> } | undefined)?.clients;
      const client = clients?.[String(packet.payload)];
      if (client && node !== this.broker?.id) this.taken.add(client);
      done();
    });
  }

  bind(broker: Aedes): void {
    this.broker = broker;
  }

  /** Whether this connection ended because the client connected to another node. */
  has(client: Client): boolean {
    return this.taken.has(client);
  }
}
