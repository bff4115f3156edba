/**
 * People's accounts and sessions (issue 5, "people log in"), in the `users` and `sessions` tables
 * of the ledger database (migration 4 in ledger/schema.ts).
 *
 * Passwords are kept as scrypt hashes (security/credentials.ts, the same as gateway secrets). A
 * session token is 32 random bytes shown once; the table keeps only its SHA-256 (a token has
 * 256 bits of entropy, so a fast hash is enough and a lookup stays one index probe). Sessions
 * expire `ttlMs` after login. Creating, disabling and logging in as an admin are audited in the
 * `audit` table.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { checkSecret, hashSecret } from '../security/credentials.ts';

export const roles = ['viewer', 'teacher', 'technician', 'admin'] as const;
export type Role = (typeof roles)[number];

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and "-"');

export const newUserSchema = z
  .strictObject({
    username: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'lower-case letters, digits, ".", "_" and "-", 2 to 64'),
    password: z.string().min(10, 'at least 10 characters').max(200),
    role: z.enum(roles),
    /** Teachers and technicians belong to one unit and see only it. */
    unit: slug.optional(),
  })
  .superRefine((u, ctx) => {
    const needsUnit = u.role === 'teacher' || u.role === 'technician';
    if (needsUnit && !u.unit) ctx.addIssue({ code: 'custom', path: ['unit'], message: `a ${u.role} needs a unit` });
    if (!needsUnit && u.unit) ctx.addIssue({ code: 'custom', path: ['unit'], message: `a ${u.role} has no unit` });
  });
export type NewUser = z.input<typeof newUserSchema>;

export interface User {
  username: string;
  role: Role;
  unit: string | null;
  createdAt: number;
  disabledAt: number | null;
}

export interface Session {
  username: string;
  role: Role;
  unit: string | null;
  expiresAt: number;
}

// The same cost as a real check, so an unknown username takes as long as a wrong password.
const DUMMY_HASH = hashSecret(randomBytes(16).toString('base64url'));
const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

function audit(db: Database, at: number, actor: string, action: string, entityId: string, before: unknown, after: unknown): void {
  db.prepare('INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    at,
    actor,
    action,
    'user',
    entityId,
    before === null ? null : JSON.stringify(before),
    after === null ? null : JSON.stringify(after),
  );
}

function toUser(r: Record<string, unknown>): User {
  return {
    username: r.username as string,
    role: r.role as Role,
    unit: (r.unit as string | null) ?? null,
    createdAt: r.created_at as number,
    disabledAt: (r.disabled_at as number | null) ?? null,
  };
}

/** Creates an account (audited as `actor`'s action). Returns the account, never the password or its hash. */
export function createUser(db: Database, input: NewUser, actor: string, now = Date.now()): User {
  const u = newUserSchema.parse(input);
  const user: User = { username: u.username, role: u.role, unit: u.unit ?? null, createdAt: now, disabledAt: null };
  db.transaction(() => {
    db.prepare('INSERT INTO users (username, role, unit, password_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
      user.username,
      user.role,
      user.unit,
      hashSecret(u.password),
      now,
    );
    audit(db, now, actor, 'user.create', user.username, null, user);
  })();
  return user;
}

/** Disables an account and ends its sessions; true if it was enabled. */
export function disableUser(db: Database, username: string, actor: string, now = Date.now()): boolean {
  return db.transaction(() => {
    const before = db.prepare('SELECT * FROM users WHERE username = ? AND disabled_at IS NULL').get(username) as Record<string, unknown> | undefined;
    if (!before) return false;
    db.prepare('UPDATE users SET disabled_at = ? WHERE username = ?').run(now, username);
    db.prepare('DELETE FROM sessions WHERE username = ?').run(username);
    audit(db, now, actor, 'user.disable', username, toUser(before), { ...toUser(before), disabledAt: now });
    return true;
  })();
}

export function getUser(db: Database, username: string): User | undefined {
  const row = db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Record<string, unknown> | undefined;
  return row && toUser(row);
}

/** Checks the password and opens a session; undefined for a wrong password, unknown or disabled user. */
export async function login(db: Database, username: string, password: string, ttlMs: number, now = Date.now()): Promise<({ token: string } & Session) | undefined> {
  const row = db.prepare('SELECT * FROM users WHERE username = ? AND disabled_at IS NULL').get(username) as Record<string, unknown> | undefined;
  const ok = await checkSecret(password, (row?.password_hash as string | undefined) ?? DUMMY_HASH);
  if (!row || !ok) return undefined;
  const user = toUser(row);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + ttlMs;
  db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
  db.prepare('INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)').run(tokenHash(token), user.username, now, expiresAt);
  if (user.role === 'admin') audit(db, now, user.username, 'session.login', user.username, null, { expiresAt });
  return { token, username: user.username, role: user.role, unit: user.unit, expiresAt };
}

/** The live session of a token, or undefined (unknown, expired, or its user disabled). */
export function sessionOf(db: Database, token: string, now = Date.now()): Session | undefined {
  const row = db
    .prepare(
      `SELECT u.username, u.role, u.unit, s.expires_at FROM sessions s JOIN users u ON u.username = s.username
       WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL`,
    )
    .get(tokenHash(token), now) as Record<string, unknown> | undefined;
  return row && { username: row.username as string, role: row.role as Role, unit: (row.unit as string | null) ?? null, expiresAt: row.expires_at as number };
}

/** Ends a session; true if it existed. */
export function logout(db: Database, token: string): boolean {
  return db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash(token)).changes > 0;
}
