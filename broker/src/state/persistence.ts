/**
 * Where the broker keeps its own state: retained messages (each gateway's birth, each kit's
 * state), the subscriptions of persistent sessions (clean: false) and the QoS 1 messages queued
 * for a client that is away (a command for a gateway that is offline), plus the wills.
 *
 * - disk (the default): LevelDB in `{dataDir}/broker-state` (aedes-persistence-level), so all of
 *   it survives a restart of the central. One central per data dir: LevelDB locks it, which is
 *   what lets stored-clients.ts keep in memory which clients have state.
 * - redis: shared by every node of a cluster (aedes-persistence-redis); it is as durable as the
 *   Redis is (AOF or RDB on the Redis side).
 * - memory: lost on restart (tests that want a bare broker).
 */
import { join } from 'node:path';
import aedesPersistenceLevel, { type Persistence } from 'aedes-persistence-level';
import aedesPersistenceRedis from 'aedes-persistence-redis';
import { Level } from 'level';
import { pino, type Logger } from 'pino';
import { CentralConfigError } from '../config.ts';
import { PendingWrites } from './pending-writes.ts';
import { reachRedis, redisOptions } from './redis.ts';
import { loadStoredClients, skipUnstoredClients } from './stored-clients.ts';

export type StateKind = 'disk' | 'memory' | 'redis';

export interface StateOptions {
  kind: StateKind;
  /** The Redis URL, for kind redis (`redis://host:6379/db`). */
  url?: string | undefined;
}

export interface BrokerPersistence {
  /** For Aedes's `persistence` option; undefined: Aedes's own in-memory persistence. */
  persistence: Persistence | undefined;
  /** Where it is, for the log and the CLI: a directory, a Redis address or 'memory'. */
  where: string;
  /** After the broker has closed: waits for the operations still running (its clients' wills), then closes the database or the Redis connections. */
  close(): Promise<void>;
}

/** `field` names the URL's place in central.yaml, for errors (state.url or cluster.redis). */
export async function openPersistence(state: StateOptions, dataDir: string, field = 'state.url', log: Logger = pino({ level: 'silent' })): Promise<BrokerPersistence> {
  if (state.kind === 'memory') return { persistence: undefined, where: 'memory', close: async () => undefined };
  if (state.kind === 'disk') {
    const dir = join(dataDir, 'broker-state');
    const db = new Level<string, Buffer>(dir, { valueEncoding: 'buffer' });
    try {
      await db.open();
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code === 'LEVEL_LOCKED' ? 'another central is using it (one central per data dir; a cluster keeps its state in Redis)' : (cause?.message ?? (err as Error).message);
      throw new CentralConfigError('CONFIG_INVALID', [{ path: 'dataDir', message: `cannot open the broker state in ${dir}: ${why}` }]);
    }
    // Which clients have state, read before Aedes takes its first client (stored-clients.ts says why).
    const stored = await loadStoredClients(db);
    return tracked(guardRetainedStreams(skipUnstoredClients(aedesPersistenceLevel(db), stored), log), dir);
  }
  if (state.url === undefined) throw new CentralConfigError('CONFIG_INVALID', [{ path: field, message: 'state kind redis needs the Redis URL, e.g. redis://127.0.0.1:6379/0' }]);
  const options = redisOptions(state.url, field);
  await reachRedis(options, field);
  return tracked(guardRetainedStreams(aedesPersistenceRedis(options), log), `redis://${options.host}:${options.port}/${options.db}`);
}

/** How long a stop waits for the state's last operations (a Redis that went away never answers). */
const SETTLE_MS = 5000;

/** Closed only once the operations still running are done (pending-writes.ts says why). */
function tracked(persistence: Persistence, where: string): BrokerPersistence {
  const pending = new PendingWrites();
  pending.track(persistence);
  return {
    persistence,
    where,
    close: async () => {
      pending.close();
      await pending.settled(SETTLE_MS);
      await persistence.destroy();
    },
  };
}

/**
 * Aedes pipes the retained messages of a SUBSCRIBE from this stream without an 'error' listener
 * (aedes lib/handlers/subscribe.js): a read that fails, such as a subscription that arrived as the
 * central was stopping and reads the database after it closed, or a lost Redis, would be an
 * uncaught exception and take the central down. It is logged instead; that subscriber misses its
 * retained messages (and gets them when it subscribes again).
 */
export function guardRetainedStreams<P extends object>(persistence: P, log: Logger): P {
  // Both persistences have these (the shared Aedes persistence interface); our typings omit them.
  const streams = persistence as unknown as { createRetainedStreamCombi(patterns: string[]): NodeJS.EventEmitter; createRetainedStream(pattern: string): NodeJS.EventEmitter };
  const guard = (stream: NodeJS.EventEmitter) => stream.on('error', (err: Error) => log.warn({ err: err.message }, 'could not read the retained messages for a subscription'));
  const combi = streams.createRetainedStreamCombi.bind(persistence);
  const single = streams.createRetainedStream.bind(persistence);
  streams.createRetainedStreamCombi = (patterns) => guard(combi(patterns));
  streams.createRetainedStream = (pattern) => guard(single(pattern));
  return persistence;
}
