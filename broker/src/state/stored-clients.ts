/**
 * Which client ids have anything in the broker state on disk, kept in memory, so the LevelDB work
 * that can find nothing is skipped.
 *
 * Aedes clears a clean client's subscriptions, its incoming QoS 2 range and its will on every
 * CONNECT, reads its will again, streams its outgoing queue, and clears the incoming range again
 * on close (lib/handlers/connect.js, lib/client.js). For the fleet's clean gateways all of these
 * find nothing, and together they were ~65% of the CPU of connecting 10,000 clients (profile in
 * issue 17's work). A client id is in an index from the moment a write for it starts, so the
 * index never says "nothing" for state that exists:
 *
 * - loaded at start from the keys on disk (subscriptions:, incoming:, outgoing:, outgoing-id:,
 *   will:), before Aedes takes its first client;
 * - added to before every write (addSubscriptions, incomingStorePacket, outgoingEnqueue(Combi),
 *   outgoingUpdate, putWill);
 * - removed from only when a clear of all of the client's state of that kind (cleanSubscriptions,
 *   cleanIncoming, delWill) has succeeded and no write of that kind for the id was running when it
 *   started or began since: otherwise the id stays (a superset is only slower, never wrong).
 *   Removals of a part (removeSubscriptions, incomingDelPacket, outgoingClearMessageId) keep it.
 *
 * Only for the disk state: LevelDB is locked to one central, so every write goes through here. A
 * cluster's Redis is written by the other nodes too, so it is not indexed.
 */
import type { Level } from 'level';
import { NothingQueued, skipEmptyQueuePipelines } from './empty-queue.ts';

type Kind = 'subscriptions' | 'incoming' | 'outgoing' | 'will';

/** Key prefixes of aedes-persistence-level (asyncPersistence.js); the client id follows, URI-encoded. */
const PREFIXES: readonly (readonly [string, Kind])[] = [
  ['subscriptions:', 'subscriptions'],
  ['incoming:', 'incoming'],
  ['outgoing:', 'outgoing'],
  ['outgoing-id:', 'outgoing'],
  ['will:', 'will'],
];

interface Entry {
  /** Writes of this kind for the id that have started and not finished. */
  running: number;
  /** Counts every write that started, so a clear can tell whether one began while it ran. */
  started: number;
}

/** The ids that may have state of one kind. */
export class ClientIndex {
  private entries = new Map<string, Entry>();

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Known from the disk at start. */
  load(id: string): void {
    if (!this.entries.has(id)) this.entries.set(id, { running: 0, started: 0 });
  }

  /** A write for the id begins; call the returned function when it has finished (either way). */
  writing(id: string): () => void {
    let entry = this.entries.get(id);
    if (!entry) this.entries.set(id, (entry = { running: 0, started: 0 }));
    entry.running++;
    entry.started++;
    const started = entry;
    return () => {
      started.running--;
    };
  }

  /** A clear of all of the id's state begins; call the returned function once it has succeeded. */
  clearing(id: string): () => void {
    const entry = this.entries.get(id);
    if (!entry) return () => undefined;
    const { running, started } = entry;
    return () => {
      // Only when nothing was being written as it started and nothing was written since.
      if (running === 0 && this.entries.get(id) === entry && entry.started === started && entry.running === 0) this.entries.delete(id);
    };
  }
}

export interface StoredClients {
  subscriptions: ClientIndex;
  incoming: ClientIndex;
  outgoing: ClientIndex;
  will: ClientIndex;
}

/** Reads the client ids of every stored key of these kinds (keys only; retained messages are not read). */
export async function loadStoredClients(db: Level<string, Buffer>): Promise<StoredClients> {
  const index: StoredClients = { subscriptions: new ClientIndex(), incoming: new ClientIndex(), outgoing: new ClientIndex(), will: new ClientIndex() };
  for (const [prefix, kind] of PREFIXES) {
    const range = { gte: prefix, lt: `${prefix.slice(0, -1)};` };
    for await (const key of db.keys(range)) {
      const rest = key.slice(prefix.length);
      // will:ID has nothing after the id; the others have ':' after it (an encoded id has no ':').
      const end = kind === 'will' ? rest.length : rest.indexOf(':');
      index[kind].load(decodeURIComponent(end < 0 ? rest : rest.slice(0, end)));
    }
  }
  return index;
}

type Operation = (...args: unknown[]) => unknown;

/**
 * Aedes 1.2 calls these in their promise shape; the callback shape (whose callbacks take
 * different extra arguments per operation) is passed through untouched, not skipped.
 */
function calledBack(args: unknown[]): boolean {
  return typeof args.at(-1) === 'function';
}

function answer(result: unknown, err?: Error): Promise<unknown> {
  return err ? Promise.reject(err) : Promise.resolve(result);
}

/** Runs the operation and calls `after(ok)` when it has finished, in both shapes. */
function run(original: Operation, args: unknown[], after: (ok: boolean) => void): unknown {
  const last = args.at(-1);
  if (typeof last === 'function') {
    return original(...args.slice(0, -1), (err: Error | null, ...results: unknown[]) => {
      after(!err);
      (last as Operation)(err, ...results);
    });
  }
  let result: unknown;
  try {
    result = original(...args);
  } catch (err) {
    after(false);
    throw err;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        after(true);
        return value;
      },
      (err: unknown) => {
        after(false);
        throw err;
      },
    );
  }
  after(true);
  return result;
}

function idOf(arg: unknown): string {
  return (arg as { id?: string; clientId?: string }).id ?? (arg as { clientId: string }).clientId;
}

/**
 * Changes the persistence in place (and returns it): writes are recorded in `index`, and the
 * operations for a client id with nothing of that kind stored answer at once, as the persistence
 * would have for a client with nothing stored.
 */
export function skipUnstoredClients<P extends object>(persistence: P, index: StoredClients): P {
  const target = persistence as unknown as Record<string, Operation | undefined>;
  const wrap = (name: string, make: (original: Operation) => Operation) => {
    const original = target[name];
    if (typeof original === 'function') target[name] = make(original.bind(persistence));
  };
  const write = (name: string, kind: Kind, ids: (args: unknown[]) => string[]) =>
    wrap(name, (original) => (...args) => {
      const done = ids(args).map((id) => index[kind].writing(id));
      return run(original, args, () => done.forEach((d) => d()));
    });
  // A clear of all the state of a kind: nothing to do for an id without any; the id leaves the index once it succeeded.
  const clear = (name: string, kind: Kind, nothing: unknown) =>
    wrap(name, (original) => (...args) => {
      const id = idOf(args[0]);
      if (!index[kind].has(id) && !calledBack(args)) return answer(nothing);
      const cleared = index[kind].clearing(id);
      return run(original, args, (ok) => ok && cleared());
    });
  const read = (name: string, kind: Kind, nothing: () => { result?: unknown; err?: Error }) =>
    wrap(name, (original) => (...args) => {
      if (index[kind].has(idOf(args[0])) || calledBack(args)) return original(...args);
      const { result, err } = nothing();
      return answer(result, err);
    });

  write('addSubscriptions', 'subscriptions', (args) => [idOf(args[0])]);
  write('incomingStorePacket', 'incoming', (args) => [idOf(args[0])]);
  write('outgoingEnqueue', 'outgoing', (args) => [idOf(args[0])]);
  write('outgoingEnqueueCombi', 'outgoing', (args) => ((args[0] as unknown[] | undefined) ?? []).map(idOf));
  write('outgoingUpdate', 'outgoing', (args) => [idOf(args[0])]);
  write('putWill', 'will', (args) => [idOf(args[0])]);

  clear('cleanSubscriptions', 'subscriptions', undefined);
  clear('cleanIncoming', 'incoming', undefined);
  clear('delWill', 'will', undefined);

  read('subscriptionsByClient', 'subscriptions', () => ({ result: [] }));
  read('getWill', 'will', () => ({ result: undefined }));
  // As aedes-persistence-level answers a packet it does not have (publish.js treats it as "not a duplicate").
  read('incomingGetPacket', 'incoming', () => ({ err: new Error('no such packet') }));
  read('outgoingClearMessageId', 'outgoing', () => ({ result: undefined }));
  // The queue Aedes streams to every client on CONNECT (connect.js emptyQueue): empty without a
  // LevelDB iterator, and its pipeline short-cut (empty-queue.ts).
  skipEmptyQueuePipelines();
  wrap('outgoingStream', (original) => (...args) => (index.outgoing.has(idOf(args[0])) ? original(...args) : new NothingQueued()));
  return persistence;
}
