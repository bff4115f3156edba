import type { UsageEvent } from '@stemlab/protocol';
import type { Logger } from '../core/log.ts';
import type { Outbox } from '../outbox/outbox.ts';

/** Publishes one event at QoS 1; `done` runs on its PUBACK, or with an error if it will never come. */
export type PublishUsage = (event: UsageEvent, done: (err?: Error) => void) => void;

/**
 * Moves usage events from the outbox to the broker: in seq order, at most `window` unacknowledged
 * at once (a window, not one at a time: a week of buffered events replays in seconds instead of
 * a round trip each), and each deleted from the outbox only after its PUBACK.
 *
 * Across a reconnect, what was in flight stays with mqtt.js, which resends it first in the new
 * session (before its 'connect' event) and still calls back on the PUBACK; the publisher only
 * continues after the highest seq it handed over. A new client (a restart) starts from the
 * outbox's oldest event, so what was in flight then goes again: a duplicate on the wire, with
 * the same eventId, which the ledger drops.
 */
export class UsagePublisher {
  private readonly inflight = new Set<number>();
  /** The highest seq handed to the client in this process. */
  private handedUpTo = 0;
  private acked: number[] = [];
  private flush: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly publish: PublishUsage,
    private readonly window: number,
    private readonly canSend: () => boolean,
    private readonly log: Logger,
  ) {}

  get inFlight(): number {
    return this.inflight.size;
  }

  /** Sends what waits, up to the window; call when connected, on append and after each PUBACK. */
  drain(): void {
    while (!this.stopped && this.canSend() && this.inflight.size < this.window) {
      const batch = this.outbox.pending(this.window - this.inflight.size, this.handedUpTo);
      if (batch.length === 0) return;
      for (const event of batch) this.send(event);
    }
  }

  /** Nothing is sent after this; PUBACKs of what is in flight are still recorded (flushAcks). */
  stop(): void {
    this.stopped = true;
  }

  /** Deletes what the broker has acknowledged so far. */
  flushAcks(): void {
    if (this.flush) clearImmediate(this.flush);
    this.flush = undefined;
    const seqs = this.acked;
    this.acked = [];
    try {
      this.outbox.ack(seqs);
    } catch (err) {
      // The outbox is closed or the disk failed: the events stay and go again, never lost.
      this.log.error({ err, count: seqs.length }, 'could not delete acknowledged usage events');
    }
  }

  private send(event: UsageEvent): void {
    this.inflight.add(event.seq);
    this.handedUpTo = Math.max(this.handedUpTo, event.seq);
    this.publish(event, (err) => {
      this.inflight.delete(event.seq);
      if (err) {
        // The client gave the message up (it is ending): send it again on the next drain.
        this.log.debug({ err, seq: event.seq }, 'usage event not acknowledged; will resend');
        this.handedUpTo = Math.min(this.handedUpTo, event.seq - 1);
        return;
      }
      this.acked.push(event.seq);
      // PUBACKs arrive in bursts: one transaction (one fsync) per burst, not per event. An ack
      // lost in a crash only means the event is sent again.
      this.flush ??= setImmediate(() => this.flushAcks());
      this.drain();
    });
  }
}
