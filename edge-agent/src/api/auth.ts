/**
 * Who is asking the agent's HTTP server (docs/agent-security.md). Two ways in:
 *
 * - A person logs in with the gateway's editor accounts ({dataDir}/nodered/accounts.json, made
 *   by `stemlab agent accounts`): teacher, technician, student-N. The log-in is a random token
 *   kept in the agent's memory, carried by an HttpOnly, SameSite=Strict cookie (a page on
 *   another site cannot send it) or as `Authorization: Bearer` (scripts).
 * - A tool on the Pi itself (`stemlab agent estop --reset`, the selftest) reads the agent's
 *   local token from {dataDir}/agent-token, a file only the agent's user can read (0600).
 *
 * Six failed log-ins for one name within 10 minutes lock that name for the rest of the 10
 * minutes, as Node-RED's editor does.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { readEditorAccounts } from '../nodered/accounts.ts';
import { STUDENT_NAME, TECHNICIAN } from '../nodered/policy.ts';
import { loadBcrypt } from '../nodered/red.ts';

export type Role = 'teacher' | 'technician' | 'student' | 'local';

/** The person (or local tool) behind a request. */
export interface Caller {
  username: string;
  role: Role;
}

/** Who may call a route: anyone on an allowed host, anyone logged in, or the room's staff. */
export type Access = 'open' | 'user' | 'staff';

export const SESSION_COOKIE = 'stemlab_session';

const FAILURES_ALLOWED = 5;
const FAILURE_WINDOW_MS = 10 * 60_000;

export class AuthError extends Error {
  constructor(
    readonly code: 'LOGIN_REQUIRED' | 'LOGIN_FAILED' | 'LOGIN_LOCKED' | 'FORBIDDEN',
    message: string,
  ) {
    super(message);
  }
}

export const authStatus = { LOGIN_REQUIRED: 401, LOGIN_FAILED: 401, LOGIN_LOCKED: 429, FORBIDDEN: 403 } as const;

export function isStaff(caller: Caller | undefined): boolean {
  return caller?.role === 'teacher' || caller?.role === 'technician' || caller?.role === 'local';
}

/** The file holding the agent's local token, for tools on the Pi. */
export function localTokenFile(dataDir: string): string {
  return join(dataDir, 'agent-token');
}

/** The local token a tool on the Pi sends, or undefined when it cannot read it (not the agent's user). */
export function readLocalToken(dataDir: string): string | undefined {
  try {
    return readFileSync(localTokenFile(dataDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export class Authenticator {
  private readonly sessions = new Map<string, Caller & { expires: number }>();
  private readonly failures = new Map<string, number[]>();
  private localToken: string | undefined;

  constructor(
    private readonly dataDir: string,
    readonly sessionMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Write a fresh local token (0600) for the tools on this Pi; a restart changes it. */
  writeLocalToken(): void {
    mkdirSync(this.dataDir, { recursive: true });
    const token = randomBytes(32).toString('base64url');
    const file = localTokenFile(this.dataDir);
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    this.localToken = token;
  }

  /** The local token (after start), for a composition root in the same process (tests, benches). */
  get token(): string | undefined {
    return this.localToken;
  }

  /** Check a password against the editor accounts; resolves the log-in's token and caller. */
  async login(username: unknown, password: unknown): Promise<{ token: string; caller: Caller; expires: number }> {
    if (typeof username !== 'string' || typeof password !== 'string' || username.length > 64 || password.length > 200) {
      throw new AuthError('LOGIN_FAILED', 'log in with {"username": "...", "password": "..."}');
    }
    const recent = (this.failures.get(username) ?? []).filter((t) => t > this.now() - FAILURE_WINDOW_MS);
    if (recent.length > FAILURES_ALLOWED) throw new AuthError('LOGIN_LOCKED', `too many failed log-ins for '${username}': wait 10 minutes, or ask the teacher`);
    const account = readEditorAccounts(this.dataDir).find((a) => a.username === username);
    const ok = account !== undefined && (await loadBcrypt().compare(password, account.password));
    const role = account ? roleOf(account) : undefined;
    if (!ok || !role) {
      this.failures.set(username, [...recent, this.now()]);
      throw new AuthError('LOGIN_FAILED', 'wrong user name or password');
    }
    this.failures.delete(username);
    const token = randomBytes(32).toString('base64url');
    const expires = this.now() + this.sessionMs;
    const caller = { username, role };
    this.sessions.set(token, { ...caller, expires });
    return { token, caller, expires };
  }

  logout(req: IncomingMessage): void {
    const token = tokenOf(req);
    if (token) this.sessions.delete(token);
  }

  /** The caller a request carries (its cookie or bearer token), if any and still valid. */
  caller(req: IncomingMessage): Caller | undefined {
    const token = tokenOf(req);
    if (!token) return undefined;
    if (this.localToken && same(token, this.localToken)) return { username: 'local', role: 'local' };
    const session = this.sessions.get(token);
    if (!session) return undefined;
    if (session.expires <= this.now()) {
      this.sessions.delete(token);
      return undefined;
    }
    return { username: session.username, role: session.role };
  }

  /** Throws LOGIN_REQUIRED or FORBIDDEN when `caller` may not use a route of `access`. */
  static require(access: Access, caller: Caller | undefined): void {
    if (access === 'open') return;
    if (!caller) throw new AuthError('LOGIN_REQUIRED', 'log in first (the console at /console/), or run the command on the gateway itself');
    if (access === 'staff' && !isStaff(caller)) throw new AuthError('FORBIDDEN', 'only a teacher or a technician may do this');
  }
}

/** A Set-Cookie value for a log-in (or, without a token, one that ends it). */
export function sessionCookie(token: string | undefined, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${token ?? ''}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${token ? Math.floor(maxAgeS) : 0}`;
}

function roleOf(account: { username: string; permissions: string | readonly string[] }): Role | undefined {
  if (account.username === TECHNICIAN) return 'technician';
  if (account.permissions === '*' || (Array.isArray(account.permissions) && account.permissions.includes('*'))) return 'teacher';
  if (STUDENT_NAME.test(account.username)) return 'student';
  return undefined;
}

function tokenOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
