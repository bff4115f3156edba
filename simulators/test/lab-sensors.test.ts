/**
 * The simulated lab sensors (src/lab/). Protects: no sensor ever reads a value its quantity
 * cannot physically take, whatever the seed and the time (the demo's −50 °C air of old); each
 * phenomenon follows its law (Newton's cooling, RC discharge, a titration's jump at equivalence);
 * readings are a pure function of the seed and the time; the transfer functions are the inverse
 * of what the agent applies; the manual clock runs timers in order.
 */
import { describe, expect, it } from 'vitest';
import { quantities, quantityNames } from '@stemlab/protocol';
import { capacitorDischarge, defaultPhenomena, LabSensor, ManualClock, newtonCooling, roomAir, titration, toRaw } from '../src/index.ts';

const seed = Number(process.env.STEMLAB_SEED ?? 42);
console.log(`lab sensors test: seed ${seed}`);

describe('simulated lab sensors', () => {
  it('never leave the physical bounds of their quantity, over two hours and ten seeds', () => {
    const clock = new ManualClock(0);
    const phenomena = [...quantityNames.map((q) => defaultPhenomena[q]()), roomAir(), newtonCooling({ from: 6 })];
    for (let s = seed; s < seed + 10; s++) {
      for (const phenomenon of phenomena) {
        const sensor = new LabSensor({ name: `bench/${phenomenon.quantity}`, phenomenon, transfer: { kind: 'linear', scale: [0, 1] }, clock, seed: s, startedAt: 0 });
        const { min, max } = quantities[phenomenon.quantity];
        for (let t = 0; t < 7200_000; t += 997) {
          const v = sensor.value(t);
          if (!(v >= min && v <= max)) throw new Error(`${phenomenon.description}: ${v} ${quantities[phenomenon.quantity].unit} at ${t} ms (seed ${s})`);
        }
      }
    }
  });

  it("cool by Newton's law, discharge by RC and titrate with a jump at equivalence", () => {
    const water = newtonCooling({ from: 80, ambient: 28, k: 0.005 });
    expect(water.ideal(0)).toBe(80);
    expect(water.ideal(200)).toBeCloseTo(28 + 52 * Math.exp(-1), 10);
    expect(capacitorDischarge({ v0: 9, rcS: 10 }).ideal(10)).toBeCloseTo(9 / Math.E, 10);
    const ph = titration({ acidMolar: 0.1, acidMl: 25, baseMolar: 0.1, mlPerS: 0.5 });
    expect(ph.ideal(0)).toBeCloseTo(1, 5);
    expect(ph.ideal(50)).toBeCloseTo(7, 5); // 25 mL added: equivalence
    expect(ph.ideal(49)).toBeLessThan(4);
    expect(ph.ideal(51)).toBeGreaterThan(10);
  });

  it('read the same at the same time with the same seed, whatever was read before', () => {
    const clock = new ManualClock(0);
    const make = (s: number) => new LabSensor({ name: 'bench-1/water', phenomenon: newtonCooling(), transfer: { kind: 'LM35' }, clock, seed: s, startedAt: 0 });
    const a = make(seed);
    const b = make(seed);
    a.value(5000);
    a.value(7000);
    expect(a.value(12_345)).toBe(b.value(12_345));
    expect(make(seed + 1).value(12_345)).not.toBe(a.value(12_345));
  });

  it('put on the pin what the agent converts back (LM35, TMP36, a linear scale)', () => {
    // The agent: LM35 °C = raw·500/1023, TMP36 °C = raw·500/1023 − 50, scaled = low + raw/1023·(high − low).
    expect((toRaw({ kind: 'LM35' }, 25) * 500) / 1023).toBeCloseTo(25, 0);
    expect((toRaw({ kind: 'TMP36' }, 29) * 500) / 1023 - 50).toBeCloseTo(29, 0);
    expect(toRaw({ kind: 'linear', scale: [0, 14] }, 7)).toBe(512);
    expect(toRaw({ kind: 'linear', scale: [30, 130] }, 200)).toBe(1023);
  });

  it('ManualClock runs due timers in time order, each at its own time', () => {
    const clock = new ManualClock(1000);
    const seen: Array<[string, number]> = [];
    clock.setTimeout(() => seen.push(['b', clock.now()]), 200);
    clock.setTimeout(() => {
      seen.push(['a', clock.now()]);
      clock.setTimeout(() => seen.push(['c', clock.now()]), 50);
    }, 100);
    const cancelled = clock.setTimeout(() => seen.push(['x', clock.now()]), 10);
    clock.clearTimeout(cancelled);
    clock.advance(300);
    expect(seen).toEqual([['a', 1100], ['c', 1150], ['b', 1200]]);
    expect(clock.now()).toBe(1300);
    expect(clock.pending).toBe(0);
  });
});
