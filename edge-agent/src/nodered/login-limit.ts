/**
 * Bounds password guessing at the editor's log-in without letting anyone lock someone else out.
 *
 * Node-RED's own rule (editor-api/lib/auth/strategies.js) refuses an account's sixth attempt in
 * 10 minutes from anywhere: one student failing six times as `teacher` locks the teacher out of
 * the whole room for 10 minutes. Here attempts are counted per address and account, and per
 * address; wrong ones never reach Node-RED's counter (the guard checks the password first), so
 * its lock never applies. What an address may try, within `windowMs` (10 minutes):
 * - 5 attempts at one account (a sixth waits until the oldest is 10 minutes old);
 * - 20 attempts over all accounts (a student cycling through names);
 * and when one account drew more than 100 attempts from everywhere (a room of addresses
 * guessing together), only the addresses it logged in from before may try it.
 * An attempt counts when it starts, before its password is checked, so parallel guesses cannot
 * all pass the limit; a right password takes its attempt back and clears its address's count
 * for that account. The clock is monotonic (a Pi's wall clock jumps when NTP syncs).
 */
import { performance } from 'node:perf_hooks';

export interface LoginLimits {
  windowMs: number;
  perAccountPerAddress: number;
  perAddress: number;
  /** Over this many attempts at one account from all addresses, only known addresses may try it. */
  perAccount: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 10 * 60_000, perAccountPerAddress: 5, perAddress: 20, perAccount: 100 };

/** Why an attempt is refused, and for how long. */
export interface LoginRefusal {
  why: 'account-from-address' | 'address' | 'account';
  retryAfterMs: number;
}

/** The most addresses (and address/account pairs) remembered: a flood of addresses cannot grow memory without end. */
const MAX_KEYS = 20_000;

export class LoginLimiter {
  private readonly attempts = new Map<string, number[]>();
  /** Account → the addresses it logged in from (remembered for the life of the process). */
  private readonly known = new Map<string, Set<string>>();
  private readonly limits: LoginLimits;

  constructor(
    limits: Partial<LoginLimits> = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  /** Count an attempt by `address` at `username`, or say why it may not be made (nothing is counted then). */
  begin(address: string, username: string): LoginRefusal | undefined {
    const now = this.now();
    const pair = this.recent(pairKey(address, username), now);
    const byAddress = this.recent(addressKey(address), now);
    const byAccount = this.recent(accountKey(username), now);
    const { perAccountPerAddress, perAddress, perAccount, windowMs } = this.limits;
    const wait = (times: number[], limit: number) => times[times.length - limit]! + windowMs - now;
    if (pair.length >= perAccountPerAddress) return { why: 'account-from-address', retryAfterMs: wait(pair, perAccountPerAddress) };
    if (byAddress.length >= perAddress) return { why: 'address', retryAfterMs: wait(byAddress, perAddress) };
    if (byAccount.length >= perAccount && !this.known.get(username)?.has(address)) return { why: 'account', retryAfterMs: wait(byAccount, perAccount) };
    for (const [key, times] of [
      [pairKey(address, username), pair],
      [addressKey(address), byAddress],
      [accountKey(username), byAccount],
    ] as const) {
      times.push(now);
      this.attempts.set(key, times);
    }
    this.trim();
    return undefined;
  }

  /** The attempt begun for `address` at `username` had the right password. */
  succeeded(address: string, username: string): void {
    this.attempts.delete(pairKey(address, username));
    for (const key of [addressKey(address), accountKey(username)]) this.attempts.get(key)?.pop();
    let addresses = this.known.get(username);
    if (!addresses) this.known.set(username, (addresses = new Set()));
    if (addresses.size < 100) addresses.add(address);
  }

  private recent(key: string, now: number): number[] {
    const times = this.attempts.get(key);
    if (!times) return [];
    const kept = times.filter((t) => t > now - this.limits.windowMs);
    if (kept.length === 0) this.attempts.delete(key);
    return kept;
  }

  /** Past MAX_KEYS, forget the keys first seen longest ago. */
  private trim(): void {
    if (this.attempts.size <= MAX_KEYS) return;
    for (const key of this.attempts.keys()) {
      if (this.attempts.size <= MAX_KEYS * 0.9) break;
      this.attempts.delete(key);
    }
  }
}

const pairKey = (address: string, username: string) => `p\n${address}\n${username}`;
const addressKey = (address: string) => `a\n${address}`;
const accountKey = (username: string) => `u\n${username}`;
