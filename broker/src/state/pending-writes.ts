/**
 * The broker state's operations still running, so a stop closes the state only after them.
 *
 * Aedes tears a client down after `close()` has called back: the will is authorized (our
 * ingest commits it), published and only then deleted from the state (aedes lib/client.js), and
 * a client that was in the middle of its CONNECT stores its will (lib/handlers/connect.js). A
 * state closed before those ran left every will behind (published again, stale, by the next
 * start's will check) and made Aedes's CONNECT handler reject unhandled
 * (`delWill(...).finally(...)`: LEVEL_DATABASE_NOT_OPEN from aedes-persistence-level), which kills
 * a process that treats unhandled rejections as fatal.
 *
 * `track` wraps the persistence's operations (both of CallBackPersistence's shapes: with a
 * callback, or returning a promise) and counts them; `settled` waits for none to run. Once the
 * state is closing, a will deletion that fails resolves instead: there is nothing left to delete
 * from a closed state, and its caller has no rejection handler.
 */
import { RunningCount } from './running-count.ts';

const OPERATIONS = [
  'subscriptionsByTopic',
  'cleanSubscriptions',
  'storeRetained',
  'addSubscriptions',
  'removeSubscriptions',
  'subscriptionsByClient',
  'countOffline',
  'outgoingEnqueue',
  'outgoingEnqueueCombi',
  'outgoingUpdate',
  'outgoingClearMessageId',
  'incomingStorePacket',
  'incomingGetPacket',
  'incomingDelPacket',
  'cleanIncoming',
  'putWill',
  'getWill',
  'delWill',
] as const;

type Operation = (...args: unknown[]) => unknown;

export class PendingWrites {
  private readonly running = new RunningCount();
  private closing = false;

  /** Counts the persistence's operations from now on (it is changed in place and returned). */
  track<P extends object>(persistence: P): P {
    const target = persistence as unknown as Record<string, Operation | undefined>;
    for (const name of OPERATIONS) {
      const original = target[name];
      if (typeof original !== 'function') continue;
      const run = original.bind(persistence);
      target[name] = (...args: unknown[]) => {
        const last = args.at(-1);
        this.running.start();
        if (typeof last === 'function') {
          // Callback style: done once it calls back (after its caller's own next step has begun).
          return run(...args.slice(0, -1), (...results: unknown[]) => {
            try {
              (last as Operation)(...results);
            } finally {
              this.release();
            }
          });
        }
        let result: unknown;
        try {
          result = run(...args);
        } catch (err) {
          this.release();
          throw err;
        }
        if (!(result instanceof Promise)) {
          this.release();
          return result;
        }
        const tracked = name === 'delWill' ? result.catch((err: unknown) => (this.closing ? undefined : Promise.reject(err))) : result;
        // Released after the caller's reaction to the result has run (it may start the next operation).
        void tracked.then(
          () => setImmediate(() => this.release()),
          () => setImmediate(() => this.release()),
        );
        return tracked;
      };
    }
    return persistence;
  }

  /** From now on a will deletion that fails resolves (see the top of this file). */
  close(): void {
    this.closing = true;
  }

  /** Resolves when no operation runs, or after timeoutMs (a Redis that went away). */
  settled(timeoutMs: number): Promise<void> {
    return this.running.settled(timeoutMs);
  }

  private release(): void {
    this.running.end();
  }
}
