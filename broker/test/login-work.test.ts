/**
 * The queue of slow checks keeps its last slot for a clean attempt (security/login-work.ts): a
 * flood from failing addresses hashes on the other slots only, so a gateway that never failed
 * starts at once, not after a flood's hash. The work is a promise the test settles, so the order
 * is asserted, not the time.
 */
import { describe, expect, it } from 'vitest';
import { LoginWork } from '../src/security/login-work.ts';

function job(clean: boolean, failures: number) {
  let settle!: () => void;
  const started = { value: false };
  const work = () => {
    started.value = true;
    return new Promise<boolean>((resolve) => (settle = () => resolve(true)));
  };
  return { spec: { rank: () => [failures, 0], alive: () => true, clean: () => clean }, work, started, settle: () => settle() };
}

describe('LoginWork', () => {
  it('keeps the last slot for a clean attempt, and gives it back to the flood one at a time otherwise', async () => {
    const work = new LoginWork({ concurrency: 2 });
    const flood = Array.from({ length: 4 }, (_, i) => job(false, 10 + i));
    const running = flood.map((f) => work.run(f.spec, f.work));
    expect(flood.map((f) => f.started.value)).toEqual([true, false, false, false]);
    const gateway = job(true, 1);
    const done = work.run(gateway.spec, gateway.work);
    expect(gateway.started.value).toBe(true);
    gateway.settle();
    expect(await done).toEqual({ ran: true, value: true });
    // The flood's first check ends: the next of the flood takes its slot, never two at once.
    flood[0]!.settle();
    await running[0];
    await new Promise((resolve) => setImmediate(resolve)); // the slot is freed after the answer
    expect(flood.filter((f) => f.started.value)).toHaveLength(2);
    expect(work.stats.ran).toBe(3);
    for (const f of flood) if (f.started.value) f.settle();
  });

  it('keeps nothing with one slot, and lets jobs without a clean() wait for the unkept slots', async () => {
    const one = new LoginWork({ concurrency: 1 });
    const a = job(false, 5);
    void one.run(a.spec, a.work);
    expect(a.started.value).toBe(true);
    a.settle();
    const two = new LoginWork({ concurrency: 2 });
    const plain = { rank: () => [0], alive: () => true };
    let started = 0;
    const hold = () => (started++, new Promise<number>(() => undefined));
    void two.run(plain, hold);
    void two.run(plain, hold);
    expect(started).toBe(1);
  });
});
