/**
 * People's accounts and sessions (issue 5, "people log in"), in the `users` and `sessions` tables
 * of the central's state (central-state/state.ts: shared by every central on one PostgreSQL
 * schema, so a session opened on one node is good on the others).
 *
 * Passwords are kept as scrypt hashes (security/credentials.ts, the same as gateway secrets). A
 * session token is 32 random bytes shown once; the table keeps only its SHA-256 (a token has
 * 256 bits of entropy, so a fast hash is enough and a lookup stays one index probe). Sessions
 * expire `ttlMs` after login. Every change to an account (create, role or unit, disable, enable,
 * password) and every admin log-in is audited in the `audit` table, in the change's transaction.
 * The last enabled admin cannot be disabled or demoted: nobody could then manage the accounts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { idSchema } from '@stemlab/protocol';
import { stateChange, writeAudit, type CentralState } from '../central-state/state.ts';
import type { Queryable } from '../ledger/sql.ts';
import { checkSecret, hashSecret } from '../security/credentials.ts';

export const roles = ['viewer', 'teacher', 'technician', 'admin'] as const;
export type Role = (typeof roles)[number];

const slug = idSchema('unit id', 'thcs-q1-01');

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

function audit(tx: Queryable, at: number, actor: string, action: string, entityId: string, before: unknown, after: unknown): Promise<void> {
  return writeAudit(tx, { at, actor, action, entity: 'user', entityId, before, after });
}

type UserRow = Record<string, unknown>;

function toUser(r: UserRow): User {
  return {
    username: r.username as string,
    role: r.role as Role,
    unit: (r.unit as string | null) ?? null,
    createdAt: r.created_at as number,
    disabledAt: (r.disabled_at as number | null) ?? null,
  };
}

/** Creates an account (audited as `actor`'s action). Returns the account, never the password or its hash. */
export async function createUser(db: CentralState, input: NewUser, actor: string, now = Date.now()): Promise<User> {
  const u = newUserSchema.parse(input);
  const user: User = { username: u.username, role: u.role, unit: u.unit ?? null, createdAt: now, disabledAt: null };
  // Hashed before the transaction: its tens of ms hold no lock.
  const passwordHash = hashSecret(u.password);
  await stateChange(db, async (tx) => {
    await tx.run('INSERT INTO users (username, role, unit, password_hash, created_at) VALUES (?, ?, ?, ?, ?)', [user.username, user.role, user.unit, passwordHash, now]);
    await audit(tx, now, actor, 'user.create', user.username, null, user);
  });
  return user;
}

/** Disables an account and ends its sessions; true if it was enabled. */
export function disableUser(db: CentralState, username: string, actor: string, now = Date.now()): Promise<boolean> {
  return stateChange(db, async (tx) => {
    const before = await tx.get<UserRow>('SELECT * FROM users WHERE username = ? AND disabled_at IS NULL', [username]);
    if (!before) return false;
    await tx.run('UPDATE users SET disabled_at = ? WHERE username = ?', [now, username]);
    await tx.run('DELETE FROM sessions WHERE username = ?', [username]);
    await audit(tx, now, actor, 'user.disable', username, toUser(before), { ...toUser(before), disabledAt: now });
    return true;
  });
}

/**
 * Applies an admin's change to an account, all in one transaction with its audit rows
 * ('user.update' for role/unit, 'user.disable' / 'user.enable', 'user.password', never the
 * password itself). Disabling or a new password ends the account's sessions; a new role or unit
 * applies to open sessions at once (sessionOf reads them live).
 */
export async function updateUser(db: CentralState, username: string, patch: UserPatch, actor: string, now = Date.now()): Promise<User> {
  const passwordHash = patch.password === undefined ? undefined : hashSecret(patch.password);
  return stateChange(db, async (tx) => {
    const row = await tx.get<UserRow>('SELECT * FROM users WHERE username = ?', [username]);
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
      const admins = (await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL"))?.n ?? 0;
      if (admins <= 1) throw new UserError('LAST_ADMIN', `'${username}' is the last enabled admin: make another admin first`);
    }
    await tx.run('UPDATE users SET role = ?, unit = ?, disabled_at = ? WHERE username = ?', [role, unit, disabledAt, username]);
    if (role !== before.role || unit !== before.unit) await audit(tx, now, actor, 'user.update', username, before, { ...before, role, unit });
    if (disabledAt !== before.disabledAt) await audit(tx, now, actor, disabledAt === null ? 'user.enable' : 'user.disable', username, before, after);
    if (passwordHash !== undefined) {
      await tx.run('UPDATE users SET password_hash = ? WHERE username = ?', [passwordHash, username]);
      await audit(tx, now, actor, 'user.password', username, null, { username });
    }
    if (disabledAt !== null || passwordHash !== undefined) await tx.run('DELETE FROM sessions WHERE username = ?', [username]);
    return after;
  });
}

/** Every account, by username (never a password hash). */
export async function listUsers(db: Queryable): Promise<User[]> {
  return (await db.query<UserRow>('SELECT * FROM users ORDER BY username')).map(toUser);
}

export async function getUser(db: Queryable, username: string): Promise<User | undefined> {
  const row = await db.get<UserRow>('SELECT * FROM users WHERE username = ?', [username]);
  return row && toUser(row);
}

/** The enabled accounts of a unit, by username (a unit with some cannot be removed). */
export async function unitMembers(db: Queryable, unit: string): Promise<string[]> {
  return (await db.query<{ username: string }>('SELECT username FROM users WHERE unit = ? AND disabled_at IS NULL ORDER BY username', [unit])).map((r) => r.username);
}

/** Checks the password and opens a session; undefined for a wrong password, unknown or disabled user. */
/** Runs a password check (an scrypt) when the central has room for it: security/login-work.ts. `known`: the account exists. */
export type SlowCheck = (known: boolean, check: () => Promise<boolean>) => Promise<boolean>;

export async function login(
  db: CentralState,
  username: string,
  password: string,
  ttlMs: number,
  now = Date.now(),
  slowCheck: SlowCheck = (_known, check) => check(),
): Promise<({ token: string } & Session) | undefined> {
  const row = await db.get<UserRow>('SELECT * FROM users WHERE username = ? AND disabled_at IS NULL', [username]);
  const ok = await slowCheck(row !== undefined, () => checkSecret(password, (row?.password_hash as string | undefined) ?? DUMMY_HASH));
  if (!row || !ok) return undefined;
  const user = toUser(row);
  // An admin's log-in is audited (with the session, in one transaction).
  return openSession(db, user, ttlMs, now, user.role === 'admin' ? { actor: user.username, action: 'session.login' } : undefined);
}

/**
 * A new session of `user` (its token, returned once; only its hash is stored), expired sessions
 * swept and the audit row written in the same transaction; not serialized with other changes
 * (nothing is read first).
 */
async function openSession(
  db: CentralState,
  user: { username: string; role: Role; unit: string | null },
  ttlMs: number,
  now: number,
  audited?: { actor: string; action: string },
): Promise<{ token: string } & Session> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + ttlMs;
  await db.transaction(async (tx) => {
    await tx.run('DELETE FROM sessions WHERE expires_at <= ?', [now]);
    await tx.run('INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)', [tokenHash(token), user.username, now, expiresAt]);
    if (audited) await audit(tx, now, audited.actor, audited.action, user.username, null, { expiresAt });
  });
  return { token, username: user.username, role: user.role, unit: user.unit, expiresAt };
}

/** The live session of a token, or undefined (unknown, expired, or its user disabled). One primary-key probe and a join. */
export async function sessionOf(db: Queryable, token: string, now = Date.now()): Promise<Session | undefined> {
  const row = await db.get<UserRow>(
    `SELECT u.username, u.role, u.unit, s.expires_at FROM sessions s JOIN users u ON u.username = s.username
     WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL`,
    [tokenHash(token), now],
  );
  return row && { username: row.username as string, role: row.role as Role, unit: (row.unit as string | null) ?? null, expiresAt: row.expires_at as number };
}

/**
 * An enabled account's role, unit and password hash, for the broker's log-in of people
 * (security/authentication.ts, which runs the slow check in its bounded queue). One index probe.
 */
export async function accountForLogin(db: Queryable, username: string): Promise<{ role: Role; unit: string | null; passwordHash: string } | undefined> {
  const row = await db.get<UserRow>('SELECT role, unit, password_hash FROM users WHERE username = ? AND disabled_at IS NULL', [username]);
  return row && { role: row.role as Role, unit: (row.unit as string | null) ?? null, passwordHash: row.password_hash as string };
}

/** The live session of a token if it is `username`'s (a token given as a broker password must be the account's own). */
export async function sessionOfUser(db: Queryable, username: string, token: string, now = Date.now()): Promise<Session | undefined> {
  const session = await sessionOf(db, token, now);
  return session?.username === username ? session : undefined;
}

/**
 * Opens a session for an enabled account without its password: `stemlab user token`, run by
 * whoever holds the central's database (an admin on its machine), for a script or a tool that
 * logs in to the broker with a token instead of a password. Audited.
 */
export async function issueToken(db: CentralState, username: string, ttlMs: number, actor: string, now = Date.now()): Promise<{ token: string } & Session> {
  const row = await db.get<UserRow>('SELECT * FROM users WHERE username = ? AND disabled_at IS NULL', [username]);
  if (!row) throw new UserError('USER_NOT_FOUND', `no enabled account '${username}' (stemlab user list shows them)`);
  return openSession(db, toUser(row), ttlMs, now, { actor, action: 'session.token' });
}

/** Ends a session; true if it existed. */
export async function logout(db: Queryable, token: string): Promise<boolean> {
  return (await db.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash(token)])).changes > 0;
}
