/**
 * Every node of a cluster must beat at the same rate. Aedes judges the other nodes by its own
 * heartbeat interval (aedes.js _clearWills: dead after 3 of its own intervals), so a node that
 * beats faster takes the slower ones for dead and publishes, then deletes, the wills of their
 * gateways: a false "offline" for each, and no will left for when their node really dies.
 *
 * The first node to start writes its rate to the cluster's Redis; every running node keeps it
 * there (it expires 3 heartbeats after the last node stops); a node started with another rate is
 * refused, naming the field. To change the rate, stop every node, then start them all with the
 * new one.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { CentralConfigError, DEFAULT_KEY_PREFIX } from '../config.ts';

/** Where the agreed rate lives, under the cluster's key prefix (`cluster.keyPrefix`, default `stemlab:`). */
export const heartbeatKey = (keyPrefix: string): string => `${keyPrefix}cluster:heartbeatSeconds`;

export interface HeartbeatAgreement {
  close(): Promise<void>;
}

export async function agreeHeartbeat(options: RedisOptions, seconds: number, log: Logger, keyPrefix = DEFAULT_KEY_PREFIX): Promise<HeartbeatAgreement> {
  const key = heartbeatKey(keyPrefix);
  const redis = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 2 });
  redis.on('error', (err: Error) => log.debug({ err: err.message }, 'heartbeat agreement: Redis connection error; reconnecting'));
  const ttlMs = Math.ceil(3 * seconds * 1000);
  try {
    // SET NX, else read what the running nodes use; once more if that expired in between.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await redis.set(key, String(seconds), 'PX', ttlMs, 'NX')) break;
      const agreed = await redis.get(key);
      if (agreed === null) continue;
      if (Number(agreed) === seconds) break;
      throw new CentralConfigError('CONFIG_INVALID', [
        {
          path: 'cluster.heartbeatSeconds',
          message: `${seconds} here, but the nodes running on this Redis use ${agreed}: give every node the same value (a node takes one that beats slower for dead and publishes its gateways' wills). To change it, stop every node; the old value is forgotten ${3 * Number(agreed)} s after the last one stopped.`,
        },
      ]);
    }
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const timer = setInterval(() => {
    redis.set(key, String(seconds), 'PX', ttlMs).catch((err: Error) => log.warn({ err: err.message }, 'could not renew the cluster heartbeat rate in Redis'));
  }, seconds * 1000);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
