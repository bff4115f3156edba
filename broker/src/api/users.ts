/**
 * People's accounts and sessions (issue 5, "people log in"), in the `users` and `sessions` tables
 * of the ledger database (migration 4 in ledger/schema.ts).
 *
 * Passwords are kept as scrypt hashes (security/credentials.ts, the same as gateway secrets). A
 * session token is 32 random bytes shown once; the table keeps only its SHA-256 (a token has
 * 256 bits of entropy, so a fast hash is enough and a lookup stays one index probe). Sessions
 * expire `ttlMs` after login. Every change to an account (create, role or unit, disable, enable,
 * password) and every admin log-in is audited in the `audit` table, in the change's transaction.
 * The last enabled admin cannot be disabled or demoted: nobody could then manage the accounts.
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

/** What an admin may change on an account. `unit: null` takes a unit away (for a viewer or admin). */
export const userPatchSchema = z
  .strictObject({
    role: z.enum(roles).optional(),
    unit: slug.nullable().optional(),
    disabled: z.boolean().optional(),
    password: z.string().min(10, 'at least 10 characters').max(200).optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change: give role, unit, disabled or password' });
export type UserPatch = z.infer<typeof userPatchSchema>;

export class UserError extends Error {
  constructor(
    readonly code: 'USER_NOT_FOUND' | 'INVALID_USER' | 'LAST_ADMIN',
    message: string,
    /** The field at fault, for INVALID_USER. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

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

/**
 * Applies an admin's change to an account, all in one transaction with its audit rows
 * ('user.update' for role/unit, 'user.disable' / 'user.enable', 'user.password', never the
 * password itself). Disabling or a new password ends the account's sessions; a new role or unit
 * applies to open sessions at once (sessionOf reads them live).
 */
export function updateUser(db: Database, username: string, patch: UserPatch, actor: string, now = Date.now()): User {
  return db
    .transaction(() => {
      const row = db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Record<string, unknown> | undefined;
      if (!row) throw new UserError('USER_NOT_FOUND', `no account '${username}'`);
      const before = toUser(row);
      const role = patch.role ?? before.role;
      const unit = patch.unit !== undefined ? patch.unit : patch.role !== undefined && (role === 'admin' || role === 'viewer') ? null : before.unit;
      const needsUnit = role === 'teacher' || role === 'technician';
      if (needsUnit && !unit) throw new UserError('INVALID_USER', `a ${role} needs a unit`, 'unit');
      if (!needsUnit && unit) throw new UserError('INVALID_USER', `a ${role} has no unit`, 'unit');
      const disabledAt = patch.disabled === undefined ? before.disabledAt : patch.disabled ? (before.disabledAt ?? now) : null;
      const after: User = { ...before, role, unit, disabledAt };
      const wasAdmin = before.role === 'admin' && before.disabledAt === null;
      if (wasAdmin && (after.role !== 'admin' || after.disabledAt !== null)) {
        const admins = db.prepare("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL").pluck().get() as number;
        if (admins <= 1) throw new UserError('LAST_ADMIN', `'${username}' is the last enabled admin: make another admin first`);
      }
      db.prepare('UPDATE users SET role = ?, unit = ?, disabled_at = ? WHERE username = ?').run(role, unit, disabledAt, username);
      if (role !== before.role || unit !== before.unit) audit(db, now, actor, 'user.update', username, before, { ...before, role, unit });
      if (disabledAt !== before.disabledAt) audit(db, now, actor, disabledAt === null ? 'user.enable' : 'user.disable', username, before, after);
      if (patch.password !== undefined) {
        db.prepare('UPDATE users SET password_hash = ? WHERE username = ?').run(hashSecret(patch.password), username);
        audit(db, now, actor, 'user.password', username, null, { username });
      }
      if (disabledAt !== null || patch.password !== undefined) db.prepare('DELETE FROM sessions WHERE username = ?').run(username);
      return after;
    })
    .immediate();
}

/** Every account, by username (never a password hash). */
export function listUsers(db: Database): User[] {
  return (db.prepare('SELECT * FROM users ORDER BY username').all() as Array<Record<string, unknown>>).map(toUser);
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
