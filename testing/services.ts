/**
 * Probes for the services and programs some tests need, each answering with a Requirement whose
 * reason says how to get the missing piece (see requirements.ts for how tests use them).
 * Addresses follow the machine's defaults and can be moved with environment variables.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { Requirement } from './requirements.ts';

export const POSTGRES_URL = process.env.STEMLAB_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.STEMLAB_TEST_REDIS ?? 'redis://127.0.0.1:6379';
export const MOSQUITTO_URL = process.env.STEMLAB_TEST_MOSQUITTO ?? 'mqtt://127.0.0.1:1883';
export const CHROMIUM = '/usr/bin/chromium';

/** Whether something accepts TCP connections at the URL's host and port. */
export function tcpOpen(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || defaultPort), hostname);
    socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function postgres(): Promise<Requirement> {
  if (await tcpOpen(POSTGRES_URL, 5432)) return { ok: true };
  return { ok: false, reason: `no PostgreSQL at ${POSTGRES_URL}: apt-get install postgresql (trust auth, database test), or set STEMLAB_TEST_POSTGRES` };
}

export async function redis(): Promise<Requirement> {
  if (await tcpOpen(REDIS_URL, 6379)) return { ok: true };
  return { ok: false, reason: `no Redis at ${REDIS_URL}: apt-get install redis-server, or set STEMLAB_TEST_REDIS` };
}

export async function mosquitto(): Promise<Requirement> {
  if (await tcpOpen(MOSQUITTO_URL, 1883)) return { ok: true };
  return { ok: false, reason: `no Mosquitto at ${MOSQUITTO_URL}: apt-get install mosquitto, or set STEMLAB_TEST_MOSQUITTO` };
}

/** Debian's Chromium driven by playwright-core (never a downloaded browser). */
export function chromium(): Requirement {
  if (!existsSync(CHROMIUM)) return { ok: false, reason: `Chromium is not installed at ${CHROMIUM}: apt-get install chromium` };
  try {
    createRequire(import.meta.url).resolve('playwright-core');
  } catch {
    return { ok: false, reason: 'playwright-core is not installed: npm install' };
  }
  return { ok: true };
}

/** Chromium's flags for a closed network, as root, headless. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
