/**
 * One Redis URL in central.yaml (`redis://[user:password@]host[:port][/db]`, or `rediss://` for
 * TLS) turned into ioredis options, and a check at start that something answers there, so a
 * wrong address is a config error naming the field rather than a central that hangs while
 * ioredis retries in the background.
 */
import { connect } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { CentralConfigError } from '../config.ts';

export function redisOptions(url: string, field: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CentralConfigError('CONFIG_INVALID', [{ path: field, message: `'${url}' is not a URL; write redis://host:6379/0` }]);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new CentralConfigError('CONFIG_INVALID', [{ path: field, message: `'${url}' is not a Redis URL; write redis://host:6379/0 (or rediss:// for TLS)` }]);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) {
    throw new CentralConfigError('CONFIG_INVALID', [{ path: field, message: `'${parsed.pathname.slice(1)}' is not a Redis database number; write redis://host:6379/0` }]);
  }
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    db,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Resolves if a TCP connection to the Redis opens within timeoutMs; else a config error naming the field. */
export function reachRedis(options: RedisOptions, field: string, timeoutMs = 3000): Promise<void> {
  const where = `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
  return new Promise((resolve, reject) => {
    const socket = connect(options.port ?? 6379, options.host ?? '127.0.0.1');
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) =>
      reject(new CentralConfigError('CONFIG_INVALID', [{ path: field, message: `cannot reach Redis at ${where}: ${err.message}; is redis-server running there?` }])),
    );
  });
}
