import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '../src/nodered/login-limit.ts';

// The editor's log-in limits on their own, with a clock the test moves (login-limit.ts); the
// editor's log-in over HTTP with them is in nodered-students.test.ts.

function limiter() {
  let now = 0;
  const limits = new LoginLimiter({}, () => now);
  return { limits, advance: (ms: number) => (now += ms) };
}

describe('log-in limits', () => {
  it('allow five attempts per account per address in ten minutes, then the sixth waits for the oldest to age', () => {
    const { limits, advance } = limiter();
    for (let i = 0; i < 5; i++) {
      expect(limits.begin('10.0.0.5', 'teacher')).toBeUndefined();
      advance(60_000);
    }
    expect(limits.begin('10.0.0.5', 'teacher')).toEqual({ why: 'account-from-address', retryAfterMs: 5 * 60_000 });
    // Other addresses, and other accounts from this one, are not touched.
    expect(limits.begin('10.0.0.6', 'teacher')).toBeUndefined();
    expect(limits.begin('10.0.0.5', 'student-1')).toBeUndefined();
    advance(5 * 60_000);
    expect(limits.begin('10.0.0.5', 'teacher')).toBeUndefined();
  });

  it('give an attempt back when the password was right, and clear that address for that account', () => {
    const { limits } = limiter();
    for (let i = 0; i < 4; i++) limits.begin('10.0.0.5', 'student-1');
    limits.begin('10.0.0.5', 'student-1');
    limits.succeeded('10.0.0.5', 'student-1');
    for (let i = 0; i < 5; i++) expect(limits.begin('10.0.0.5', 'student-1')).toBeUndefined();
  });

  it('allow twenty attempts per address over all accounts', () => {
    const { limits } = limiter();
    for (let i = 0; i < 20; i++) expect(limits.begin('10.0.0.7', `name-${i}`)).toBeUndefined();
    expect(limits.begin('10.0.0.7', 'student-2')?.why).toBe('address');
    expect(limits.begin('10.0.0.8', 'student-2')).toBeUndefined();
  });

  it('let only the addresses an account logged in from try it once a hundred attempts came from everywhere', () => {
    const { limits, advance } = limiter();
    limits.begin('10.0.0.1', 'teacher');
    limits.succeeded('10.0.0.1', 'teacher');
    for (let i = 0; i < 100; i++) expect(limits.begin(`10.1.${i >> 8}.${i & 255}`, 'teacher')).toBeUndefined();
    expect(limits.begin('10.2.0.1', 'teacher')?.why).toBe('account');
    expect(limits.begin('10.0.0.1', 'teacher')).toBeUndefined();
    advance(10 * 60_000);
    expect(limits.begin('10.2.0.1', 'teacher')).toBeUndefined();
  });

  it('keep memory bounded under a flood of addresses', () => {
    const { limits } = limiter();
    for (let i = 0; i < 30_000; i++) limits.begin(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, `user-${i}`);
    const size = (limits as unknown as { attempts: Map<string, number[]> }).attempts.size;
    expect(size).toBeLessThanOrEqual(20_000);
  });
});
