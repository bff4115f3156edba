/**
 * How the broker's messages travel between its clients. One node: Aedes's own in-process
 * emitter. A cluster: mqemitter-redis, over Redis PUBLISH/PSUBSCRIBE, so a message published on
 * one node reaches the subscribers of every node (and Aedes's `$SYS/{id}/...` heartbeats and
 * client announcements travel the same way).
 *
 * Redis pub/sub channels are global to a Redis server, whatever database number the URL names:
 * the channel of an MQTT message is its topic. Two clusters on one Redis would see each other's
 * messages; give each its own Redis (or its own topics, as tests do with unique unit names).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import MQEmitterRedis from 'mqemitter-redis';
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { agreeHeartbeat, type HeartbeatAgreement } from './heartbeat-agreement.ts';
import { reachRedis, redisOptions } from './redis.ts';

export type Emitter = ReturnType<typeof MQEmitterRedis>;

/** Aedes's default heartbeat interval, in seconds. */
export const DEFAULT_HEARTBEAT_SECONDS = 60;

export interface ClusterOptions {
  /** The Redis every node shares (`redis://host:6379/db`). */
  redis: string;
  /** A name for this node in logs and `$SYS` topics (default: the host name). */
  nodeId?: string | undefined;
  /** Aedes's heartbeat between nodes (default 60): a dead node's wills go out 3–7 heartbeats after it died. */
  heartbeatSeconds?: number | undefined;
  /** Prefix of the keys the nodes keep in the Redis (default `stemlab:`); the same on every node. */
  keyPrefix?: string | undefined;
}

/**
 * The broker id (Aedes's `id`) of this run: the node's name, its start time and a random suffix.
 *
 * New at every start: Aedes publishes the stored wills of a broker id that has stopped sending
 * heartbeats, and a node that came back under its old id would count as alive and never publish
 * the wills its clients left when it died.
 *
 * Sortable by start time: aedes-persistence-level keys a client's queued messages by broker id
 * and then a counter, and delivers them in key order. With Aedes's default (a random UUID per
 * start) the commands queued for an offline gateway before a restart and those queued after it
 * come back in a random order; with the start time first they come back in the order sent.
 */
export function brokerId(nodeId: string | undefined, startedAt = Date.now()): string {
  return `${nodeId ?? hostname()}-${startedAt.toString(36).padStart(9, '0')}-${randomBytes(3).toString('hex')}`;
}

/** The cluster's message emitter, once this node's heartbeat rate agrees with the running nodes'. */
export async function openCluster(cluster: ClusterOptions, log: Logger): Promise<{ mq: Emitter; agreement: HeartbeatAgreement }> {
  const options = redisOptions(cluster.redis, 'cluster.redis');
  await reachRedis(options, 'cluster.redis');
  const agreement = await agreeHeartbeat(options, cluster.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS, log, cluster.keyPrefix);
  // As Aedes builds its own: [MQTT-4.7.1-3] `a/#` matches `a` too.
  const mq = MQEmitterRedis({ ...options, matchEmptyLevels: true, concurrency: 100 });
  // An 'error' without a listener would throw and take the central down; ioredis reconnects.
  (mq as unknown as { state: import('node:events').EventEmitter }).state.on('error', (err: Error) => log.warn({ err: err.message }, 'cluster Redis connection error; reconnecting'));
  return { mq, agreement };
}

/**
 * Tells the other nodes at once that this one is alive. Aedes sends a node's first heartbeat one
 * interval after it starts (60 s by default), and until the other nodes hear one, their will
 * sweeps take the new node for dead: they publish the wills of the gateways that connect to it (a
 * false "offline") and delete them, so that none goes out when the node really dies. Call it
 * before the listeners open.
 */
export function announceNode(broker: Aedes): Promise<void> {
  const packet = { cmd: 'publish', topic: `$SYS/${broker.id}/heartbeat`, payload: Buffer.from(broker.id), qos: 0, retain: false, dup: false } as const;
  return new Promise((resolve, reject) => broker.publish(packet, (err) => (err ? reject(err) : resolve())));
}
