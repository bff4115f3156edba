/**
 * The city's twins' broker credentials in the demo, which runs with anonymous access off: each
 * twin logs in as a real gateway does. Provisioning is an scrypt per gateway (~0.1-0.3 s), and so
 * is each first log-in, so for 81 twins:
 *
 * - the secrets are kept in `{dataDir}/fleet/credentials.json` (mode 0600, a demo's data dir) and
 *   reused by the next run while the central's stored hash is still the one they were issued
 *   with (else provisioned afresh);
 * - the central, in this process, is told each secret with its hash (SecurityPolicy.rememberSecret),
 *   so a twin's first CONNECT passes the cheap check instead of a second scrypt.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gatewayCredentials, provisionGateway, type CentralState, type SecurityPolicy } from '@stemlab/broker';

interface Saved {
  username: string;
  password: string;
  secretHash: string;
}

type Credentials = (unit: string, gateway: string) => Promise<{ username: string; password: string }>;

/**
 * The credentials function for startCityFleet, ready for `gateways` (unit/gateway): those not
 * reusable are provisioned first, `parallel` at a time (the hashes run in libuv's pool).
 */
export async function fleetCredentials(db: CentralState, security: SecurityPolicy, dataDir: string, gateways: readonly { unit: string; gateway: string }[], parallel = 4): Promise<Credentials> {
  mkdirSync(join(dataDir, 'fleet'), { recursive: true });
  const credentials = credentialsOf(db, security, join(dataDir, 'fleet', 'credentials.json'));
  const queue = [...gateways];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let g = queue.shift(); g; g = queue.shift()) await credentials(g.unit, g.gateway);
    }),
  );
  return credentials;
}

function credentialsOf(db: CentralState, security: SecurityPolicy, file: string): Credentials {
  const saved: Record<string, Saved> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Saved>) : {};
  return async (unit, gateway) => {
    const key = `${unit}/${gateway}`;
    let entry = saved[key];
    const stored = entry ? await gatewayCredentials(db, entry.username) : undefined;
    if (!entry || stored?.secretHash !== entry.secretHash) {
      const p = await provisionGateway(db, unit, gateway);
      entry = { username: p.username, password: p.password, secretHash: p.secretHash };
      saved[key] = entry;
      writeFileSync(file, `${JSON.stringify(saved, null, 1)}\n`, { mode: 0o600 });
    }
    security.rememberSecret(entry.username, entry.secretHash, entry.password);
    return { username: entry.username, password: entry.password };
  };
}
