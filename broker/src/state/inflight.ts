/**
 * Publishes still on their way into the broker state (and the authorizations before them), so a
 * stop can wait for them.
 *
 * Aedes acknowledges a QoS 1 PUBLISH (PUBACK) *before* it stores the message for offline
 * subscribers (lib/handlers/publish.js, then aedes.js publishFuncsQoS: storeRetained,
 * enqueueOffline, emitPacket). A stop that closed the persistence right after the last PUBACK
 * would drop a command that its sender saw acknowledged: aedes-persistence-redis disconnects
 * without waiting for the replies of commands it has sent. Counting the broker's publishes and
 * waiting for them before closing the state closes that window for a clean stop.
 */
import type { Aedes } from 'aedes';
import { RunningCount } from './running-count.ts';

type Done = (error?: Error) => void;
type Publish = (packet: unknown, clientOrDone?: unknown, done?: Done) => void;
type Authorize = (client: unknown, packet: unknown, done: Done) => void;

export class InflightPublishes {
  private readonly running = new RunningCount();

  constructor(broker: Aedes) {
    const b = broker as unknown as { publish: Publish; authorizePublish: Authorize };
    const publish = b.publish.bind(broker);
    b.publish = (packet, clientOrDone, done) => {
      const client = typeof clientOrDone === 'function' ? null : clientOrDone;
      const callback = (typeof clientOrDone === 'function' ? clientOrDone : done) as Done | undefined;
      this.running.start();
      publish(packet, client, (error?: Error) => {
        try {
          callback?.(error);
        } finally {
          this.running.end(); // after the caller's next step (it may start a publish)
        }
      });
    };
    // A closing client's will is authorized (the ingest commits it) before it is published, after
    // Aedes's close() has called back: counted too, so a stop waits for the will's publish and
    // the deletion that follows it (pending-writes.ts).
    const authorize = b.authorizePublish.bind(broker);
    b.authorizePublish = (client, packet, done) => {
      this.running.start();
      // One closure per message: this runs for every publish on the broker's thread.
      authorize(client, packet, (error?: Error) => {
        try {
          done(error);
        } finally {
          this.running.end();
        }
      });
    };
  }

  /** Resolves when no publish is in progress, or after timeoutMs (a Redis that went away). */
  settled(timeoutMs: number): Promise<void> {
    return this.running.settled(timeoutMs);
  }
}
