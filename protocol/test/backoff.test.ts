import { describe, expect, it } from 'vitest';
import { Backoff, seededRandom } from '../src/backoff.ts';

describe('Backoff', () => {
  it('doubles its step from minMs to maxMs; each wait is between (1 - jitter) × step and the step', () => {
    const seed = 7;
    console.log(`backoff seed ${seed}`);
    const backoff = new Backoff({ minMs: 100, maxMs: 1000, random: seededRandom(seed) });
    const steps = [100, 200, 400, 800, 1000, 1000, 1000];
    for (const step of steps) {
      const wait = backoff.next();
      expect(wait).toBeGreaterThanOrEqual(step / 2);
      expect(wait).toBeLessThanOrEqual(step);
    }
  });

  it('starts from minMs again after reset()', () => {
    const backoff = new Backoff({ minMs: 100, maxMs: 1000, jitter: 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('spreads the waits of many clients that failed at the same moment', () => {
    const random = seededRandom(42);
    const waits = Array.from({ length: 1000 }, () => new Backoff({ minMs: 2000, maxMs: 60_000, random }).next());
    // 1,000 gateways over one second (1000–2000 ms), not all at 2000 ms: no 50 ms slot holds more than 10 %.
    const slots = new Map<number, number>();
    for (const w of waits) slots.set(Math.floor(w / 50), (slots.get(Math.floor(w / 50)) ?? 0) + 1);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...slots.values())).toBeLessThan(100);
  });

  it('replays the same waits from the same seed', () => {
    const run = (seed: number) => {
      const b = new Backoff({ minMs: 50, maxMs: 5000, random: seededRandom(seed) });
      return Array.from({ length: 8 }, () => b.next());
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it('refuses settings that make no sense', () => {
    expect(() => new Backoff({ minMs: 0, maxMs: 10 })).toThrow(/minMs must be > 0/);
    expect(() => new Backoff({ minMs: 100, maxMs: 10 })).toThrow(/maxMs ≥ minMs/);
    expect(() => new Backoff({ minMs: 1, maxMs: 10, jitter: 2 })).toThrow(/jitter must be between 0 and 1/);
  });
});
