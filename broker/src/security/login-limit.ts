/**
 * The log-in rate limit, for people on the HTTP API and gateways on MQTT: failed log-ins are
 * counted per (username, client address) and per client address, each in a window that opens at
 * the first failure. Past `max` failures the key is refused until its window ends, without
 * checking the password (so a guessing run costs the central no scrypt work), and the answer says
 * when to try again (429 + Retry-After on HTTP).
 *
 * An attempt counts as a failure from the moment it is let through (`attempt`), before its
 * password is checked, and is taken back when it succeeds: else many attempts sent at once would
 * all pass the check before the first failure is recorded.
 *
 * - A successful log-in clears that username's failures from that address, not the address's:
 *   otherwise one valid account would let its owner reset the address counter and keep guessing
 *   other accounts.
 * - Memory is bounded: each table holds at most `maxEntries` keys. Keys are kept in the order
 *   their windows opened, which is also the order they expire (one window length per table), so
 *   expired keys are dropped from the front in O(1), and when the table is full of live keys the
 *   oldest is dropped. Under a flood from more addresses than `maxEntries` an old counter can thus
 *   be forgotten early; the per-address limit still stops any one address.
 */
export interface LimitRule {
  /** Failures allowed in the window; the next attempt is refused. */
  max: number;
  windowMs: number;
}

export interface LoginLimitOptions {
  /** Per username and client address; default 5 failures per 15 minutes. */
  perUser?: LimitRule;
  /** Per client address; default 50 failures per 15 minutes. */
  perAddress?: LimitRule;
  /** Keys each table keeps at most; default 10,000 (a few MB at worst). */
  maxEntries?: number;
}

export const DEFAULT_LOGIN_LIMIT: Required<LoginLimitOptions> = {
  perUser: { max: 5, windowMs: 15 * 60_000 },
  perAddress: { max: 50, windowMs: 15 * 60_000 },
  maxEntries: 10_000,
};

export type LimitScope = 'user' | 'address';

export interface Refusal {
  scope: LimitScope;
  /** Seconds until the window ends (at least 1). */
  retryAfterSec: number;
  /** True the first time this key is refused in its window: log it once, not on every attempt. */
  first: boolean;
}

interface Counter {
  failures: number;
  endsAt: number;
  refused: boolean;
}

/** Failure counters of one rule, bounded, oldest window first. */
class Window {
  private readonly counters = new Map<string, Counter>();

  constructor(
    private readonly rule: LimitRule,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.counters.size;
  }

  /** The live counter of a key, if it has reached the limit. */
  blocked(key: string, now: number): Counter | undefined {
    const c = this.live(key, now);
    return c && c.failures >= this.rule.max ? c : undefined;
  }

  /** Failures of a live window (0 without one). */
  failures(key: string, now: number): number {
    return this.live(key, now)?.failures ?? 0;
  }

  /** Takes back one failure (an attempt counted in advance that succeeded). */
  forgive(key: string, now: number): void {
    const c = this.live(key, now);
    if (c && c.failures > 0) c.failures--;
  }

  fail(key: string, now: number): void {
    const c = this.live(key, now);
    if (c) {
      c.failures++;
      return;
    }
    this.sweep(now);
    if (this.counters.size >= this.maxEntries) this.counters.delete(this.counters.keys().next().value as string);
    this.counters.set(key, { failures: 1, endsAt: now + this.rule.windowMs, refused: false });
  }

  clear(key: string): void {
    this.counters.delete(key);
  }

  private live(key: string, now: number): Counter | undefined {
    const c = this.counters.get(key);
    if (c && c.endsAt <= now) {
      this.counters.delete(key);
      return undefined;
    }
    return c;
  }

  /** Drops expired windows from the front (they expire in insertion order). */
  private sweep(now: number): void {
    for (const [key, c] of this.counters) {
      if (c.endsAt > now) return;
      this.counters.delete(key);
    }
  }
}

export class LoginLimiter {
  /** Attempts refused, by scope: for /metrics. */
  readonly refusals: Record<LimitScope, number> = { user: 0, address: 0 };
  private readonly users: Window;
  private readonly addresses: Window;

  constructor(options: LoginLimitOptions = {}) {
    const o = { ...DEFAULT_LOGIN_LIMIT, ...options };
    for (const [name, rule] of [['perUser', o.perUser], ['perAddress', o.perAddress]] as const) {
      if (!(rule.max >= 1 && rule.windowMs >= 1000)) throw new Error(`login limit ${name}: max must be at least 1 and windowMs at least 1000 (got ${rule.max}, ${rule.windowMs})`);
    }
    if (!(o.maxEntries >= 1)) throw new Error(`login limit maxEntries: must be at least 1 (got ${o.maxEntries})`);
    this.users = new Window(o.perUser, o.maxEntries);
    this.addresses = new Window(o.perAddress, o.maxEntries);
  }

  /** Keys held now, both tables (for tests of the memory bound). */
  get size(): number {
    return this.users.size + this.addresses.size;
  }

  /** Whether this attempt is refused before its password is checked. */
  check(username: string, address: string, now: number): Refusal | undefined {
    const byAddress = this.addresses.blocked(address, now);
    const c = byAddress ?? this.users.blocked(userKey(username, address), now);
    if (!c) return undefined;
    const scope: LimitScope = byAddress ? 'address' : 'user';
    this.refusals[scope]++;
    const first = !c.refused;
    c.refused = true;
    return { scope, retryAfterSec: Math.max(1, Math.ceil((c.endsAt - now) / 1000)), first };
  }

  /**
   * An attempt about to be checked: refused (undefined = go ahead), or counted as a failure now,
   * so that attempts arriving together cannot all slip under the limit. `succeeded` takes it back.
   */
  attempt(username: string, address: string, now: number): Refusal | undefined {
    const refused = this.check(username, address, now);
    if (!refused) this.failed(username, address, now);
    return refused;
  }

  failed(username: string, address: string, now: number): void {
    this.users.fail(userKey(username, address), now);
    this.addresses.fail(address, now);
  }

  /** Failures of this address in its window: how far back in the queue its next attempt goes (login-work.ts). */
  addressFailures(address: string, now: number): number {
    return this.addresses.failures(address, now);
  }

  /** Takes back an attempt counted in advance that was not the client's doing (the central was too busy to check it). */
  takeBack(username: string, address: string, now: number): void {
    this.users.forgive(userKey(username, address), now);
    this.addresses.forgive(address, now);
  }

  /** Clears the username's failures from this address; after `attempt`, also takes back the address's count of it. */
  succeeded(username: string, address: string, now?: number): void {
    this.users.clear(userKey(username, address));
    if (now !== undefined) this.addresses.forgive(address, now);
  }
}

// NUL cannot occur in an address, so the key is unambiguous whatever the username holds.
const userKey = (username: string, address: string) => `${address}\u0000${username}`;
