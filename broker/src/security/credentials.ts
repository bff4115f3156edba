/**
 * Gateway credentials: one secret per gateway, in the `credentials` table of the central's state
 * (central-state/state.ts: the SQLite file or the ledger's PostgreSQL schema, so every central on
 * one schema knows every gateway). The username is the gateway's client id, `gw:{unit}:{gateway}`.
 *
 * The secret is 32 random bytes (base64url), returned once by `provisionGateway` and never stored:
 * the table keeps only an scrypt hash with a salt of its own (N = 2^15, r = 8, p = 1: ~32 MiB and
 * tens of ms per check, so a stolen database does not give the secrets back cheaply). Checks
 * compare in constant time, and an unknown username still costs one hash, so timing does not tell
 * which gateways exist.
 *
 * Rotation and revocation act on the next CONNECT: a connection already open stays until it
 * ends (the broker is not told). To cut a revoked gateway off at once, restart the central or
 * close the client (`central.broker.clients[clientId]?.close()`).
 */
import { createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { gatewayClientId, parseGatewayClientId, type GatewayId } from '@stemlab/protocol';
import type { Queryable } from '../ledger/sql.ts';

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LENGTH = 32;
// A hash of nothing anyone knows, with the current cost: what an unknown username is checked against.
const DUMMY_HASH = ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, randomBytes(16).toString('base64url'), randomBytes(KEY_LENGTH).toString('base64url')].join('$');

export interface ProvisionedGateway extends GatewayId {
  /** `gw:{unit}:{gateway}`: both the MQTT username and the client id the gateway must use. */
  username: string;
  /** The secret, shown once: only its hash is stored. */
  password: string;
  /** True when the gateway had credentials before (the old secret no longer works). */
  rotated: boolean;
  /** The stored hash of the secret: lets a central in the same process know the secret without checking it (SecurityPolicy.rememberSecret). */
  secretHash: string;
}

/**
 * Creates a gateway's credentials, or rotates its secret (which also lifts a revocation). One
 * statement: `rotated` comes from the upsert itself (a first insert has no created_at to keep).
 */
export async function provisionGateway(db: Queryable, unit: string, gateway: string, now = Date.now()): Promise<ProvisionedGateway> {
  const username = gatewayClientId(unit, gateway);
  if (!parseGatewayClientId(username)) {
    throw new Error(`cannot provision '${unit}/${gateway}': unit and gateway must be slugs (lower-case letters, digits and '-')`);
  }
  const password = randomBytes(32).toString('base64url');
  // In libuv's pool: provisioning a fleet does not stall a central running in the same process.
  const secretHash = await hashSecretAsync(password);
  const row = await db.get<{ rotated_at: number | null }>(
    `INSERT INTO credentials (unit, gateway, username, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (unit, gateway) DO UPDATE SET secret_hash = excluded.secret_hash, rotated_at = excluded.created_at, revoked_at = NULL
     RETURNING rotated_at`,
    [unit, gateway, username, secretHash, now],
  );
  return { unit, gateway, username, password, rotated: row?.rotated_at != null, secretHash };
}

/** Revokes a gateway's credentials; true if it had any that were not revoked already. */
export async function revokeGateway(db: Queryable, unit: string, gateway: string, now = Date.now()): Promise<boolean> {
  return (await db.run('UPDATE credentials SET revoked_at = ? WHERE unit = ? AND gateway = ? AND revoked_at IS NULL', [now, unit, gateway])).changes > 0;
}

/** True when the gateway behind `username` (a client id) has credentials, revoked or not. */
export async function hasCredentials(db: Queryable, username: string): Promise<boolean> {
  return (await db.get('SELECT 1 AS one FROM credentials WHERE username = ?', [username])) !== undefined;
}

export interface GatewayCredentials extends GatewayId {
  secretHash: string;
}

/** The live (not revoked) credentials of the gateway behind `username`, if any: one indexed lookup, no hashing. */
export async function gatewayCredentials(db: Queryable, username: string): Promise<GatewayCredentials | undefined> {
  const row = await db.get<{ unit: string; gateway: string; secret_hash: string }>('SELECT unit, gateway, secret_hash FROM credentials WHERE username = ? AND revoked_at IS NULL', [username]);
  return row && { unit: row.unit, gateway: row.gateway, secretHash: row.secret_hash };
}

/** Checks a secret against stored credentials, or against a hash of nothing when there are none (the same time either way). */
export function checkGatewaySecret(password: Buffer | string | undefined, credentials: { secretHash: string } | undefined): Promise<boolean> {
  const given = password === undefined ? '' : typeof password === 'string' ? password : password.toString('utf8');
  return checkSecret(given, credentials?.secretHash ?? DUMMY_HASH).then((ok) => ok && credentials !== undefined);
}

/**
 * The cheap check that lets known gateways (and people) through first: the secrets that passed the slow check
 * since this central started, kept as an HMAC under a key that never leaves memory, with the
 * stored hash they matched. A gateway that reconnects (a Wi-Fi drop, a node restart in a
 * cluster) is let in with one HMAC, whatever a flood of wrong passwords keeps the slow checks
 * doing. A rotation or revocation changes or removes the stored hash, so an old entry no longer
 * matches. One entry per gateway that logged in: bounded by the gateways provisioned.
 */
export class VerifiedSecrets {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, { secretHash: string; mac: Buffer }>();

  matches(username: string, credentials: { secretHash: string }, password: Buffer | undefined): boolean {
    const entry = this.entries.get(username);
    return entry !== undefined && entry.secretHash === credentials.secretHash && timingSafeEqual(entry.mac, this.mac(password));
  }

  remember(username: string, credentials: { secretHash: string }, password: Buffer | undefined): void {
    this.entries.set(username, { secretHash: credentials.secretHash, mac: this.mac(password) });
  }

  private mac(password: Buffer | undefined): Buffer {
    return createHmac('sha256', this.key).update(password ?? Buffer.alloc(0)).digest();
  }
}

/** The gateway whose live credentials these are, or undefined. One indexed lookup (username is UNIQUE). Rejects only when the database fails. */
export async function verify(db: Queryable, username: string | undefined, password: Buffer | string | undefined): Promise<GatewayId | undefined> {
  const row = username
    ? await db.get<{ unit: string; gateway: string; secret_hash: string }>('SELECT unit, gateway, secret_hash FROM credentials WHERE username = ? AND revoked_at IS NULL', [username])
    : undefined;
  const given = password === undefined ? '' : typeof password === 'string' ? password : password.toString('utf8');
  // Hash even when there is no row, so an unknown username takes as long as a wrong password.
  const ok = await checkSecret(given, row?.secret_hash ?? DUMMY_HASH);
  return row && ok ? { unit: row.unit, gateway: row.gateway } : undefined;
}

/** `scrypt$N$r$p$salt$hash`, so the cost can be raised later without breaking stored hashes. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(secret, salt, KEY_LENGTH, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** hashSecret off the event loop. */
export async function hashSecretAsync(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, SCRYPT, KEY_LENGTH);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function checkSecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem };
  const key = await derive(secret, Buffer.from(salt, 'base64url'), options, expected.length);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

function derive(secret: string, salt: Buffer, options: ScryptOptions, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, length, options, (err, key) => (err ? reject(err) : resolve(key))));
}
