/**
 * The Pi's GPIO: the header chip is found by label on old (base 0) and new (512, 571) kernels,
 * a Pi without usable sysfs GPIO is told what to do, the simulated header behaves like wired
 * buttons and LEDs (pull, active-low, debounce, edges), and the onoff chip turns BCM numbers
 * into sysfs numbers and onoff's quirks into the GpioLine contract. One contract suite runs
 * against the simulated chip, the onoff chip over a fake onoff, and a real Pi's line when
 * TEST_GPIO_BCM is set.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedGpio } from '@stemlab/simulators';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGpioChip, GpioError, noGpioChip, OnoffGpioChip, resolveGpioBase, type GpioChip, type Level } from '../src/gpio/index.ts';
import { loadOnoff, type OnoffGpio } from '../src/gpio/onoff.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'stemlab-gpio-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

type Chip = [base: number, label: string, ngpio: number];
let trees = 0;

/** A /sys/class/gpio with these gpiochips; `export` a directory stands for "not writable" (tests run as root). */
async function fakeSysfs(chips: Chip[], options: { exportWritable?: boolean } = {}): Promise<string> {
  const root = join(tmp, `sysfs-${++trees}`);
  await mkdir(root);
  for (const [base, label, ngpio] of chips) {
    const dir = join(root, `gpiochip${base}`);
    await mkdir(dir);
    await writeFile(join(dir, 'base'), `${base}\n`);
    await writeFile(join(dir, 'label'), `${label}\n`);
    await writeFile(join(dir, 'ngpio'), `${ngpio}\n`);
  }
  if (options.exportWritable === false) await mkdir(join(root, 'export'));
  else await writeFile(join(root, 'export'), '');
  await writeFile(join(root, 'unexport'), '');
  return root;
}

// What the kernels list, as seen on real Pis.
const pi4OldKernel: Chip[] = [[0, 'pinctrl-bcm2711', 58], [504, 'raspberrypi-exp-gpio', 8]];
const pi4Kernel66: Chip[] = [[512, 'pinctrl-bcm2711', 58], [570, 'raspberrypi-exp-gpio', 8]];
const pi3Kernel66: Chip[] = [[512, 'pinctrl-bcm2835', 54], [566, 'raspberrypi-exp-gpio', 8]];
const pi5Kernel66: Chip[] = [
  [512, 'gpio-brcmstb@107d508500', 32],
  [544, 'gpio-brcmstb@107d508520', 4],
  [548, 'gpio-brcmstb@107d517c00', 17],
  [565, 'gpio-brcmstb@107d517c20', 6],
  [571, 'pinctrl-rp1', 54],
];

function thrown(fn: () => unknown): GpioError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GpioError);
    return err as GpioError;
  }
  throw new Error('nothing was thrown');
}

describe('resolveGpioBase finds the header chip by label, whatever number the kernel gave it', () => {
  it('an old kernel: the BCM2711 chip at base 0', async () => {
    expect(resolveGpioBase(await fakeSysfs(pi4OldKernel))).toEqual({ base: 0, chip: 'gpiochip0', label: 'pinctrl-bcm2711' });
  });

  it('a 6.6+ kernel on a Pi 4 or Pi 3: gpiochip512', async () => {
    expect(resolveGpioBase(await fakeSysfs(pi4Kernel66))).toEqual({ base: 512, chip: 'gpiochip512', label: 'pinctrl-bcm2711' });
    expect(resolveGpioBase(await fakeSysfs(pi3Kernel66))).toMatchObject({ base: 512, label: 'pinctrl-bcm2835' });
  });

  it('a Pi 5: the RP1 chip at 571, not the BCM2712 chips before it', async () => {
    expect(resolveGpioBase(await fakeSysfs(pi5Kernel66))).toEqual({ base: 571, chip: 'gpiochip571', label: 'pinctrl-rp1' });
  });

  it('no /sys/class/gpio (a kernel without sysfs GPIO): GPIO_UNAVAILABLE, and what to do', () => {
    const error = thrown(() => resolveGpioBase(join(tmp, 'no-such-dir')));
    expect(error.code).toBe('GPIO_UNAVAILABLE');
    expect(error.message).toContain('CONFIG_GPIO_SYSFS');
    expect(error.message).toContain('remove the gpio section');
  });

  it('no Raspberry Pi chip (another board): GPIO_UNAVAILABLE naming what it found', async () => {
    const root = await fakeSysfs([[0, 'tegra-gpio', 224]]);
    const error = thrown(() => resolveGpioBase(root));
    expect(error.code).toBe('GPIO_UNAVAILABLE');
    expect(error.message).toContain("gpiochip0 'tegra-gpio'");
  });

  it('export not writable by this user: GPIO_PERMISSION with the gpio-group command', async () => {
    const root = await fakeSysfs(pi5Kernel66, { exportWritable: false });
    const error = thrown(() => resolveGpioBase(root));
    expect(error.code).toBe('GPIO_PERMISSION');
    expect(error.message).toContain('sudo usermod -aG gpio $USER, then log in again');
  });
});

/** onoff's Gpio, faked: records how it was opened and lets a test fire its interrupt. */
function fakeOnoff(accessible = true) {
  return class FakeGpio implements OnoffGpio {
    static accessible = accessible;
    static made: FakeGpio[] = [];
    static failWith: Error | undefined;
    value: Level;
    writes: Level[] = [];
    callbacks: ((err: Error | null | undefined, value: Level) => void)[] = [];
    unexported = false;

    constructor(
      readonly gpio: number,
      readonly direction: string,
      readonly edge?: string,
      readonly options?: { debounceTimeout?: number; activeLow?: boolean },
    ) {
      if (FakeGpio.failWith) throw FakeGpio.failWith;
      // An input idles released (logical 0); 'high'/'low' are raw output levels, and `value`
      // is the logical one, as onoff's readSync returns.
      const raw = direction === 'high' ? 1 : 0;
      this.value = direction === 'in' ? 0 : ((options?.activeLow ? 1 - raw : raw) as Level);
      FakeGpio.made.push(this);
    }
    readSync(): Level {
      return this.value;
    }
    writeSync(value: Level): void {
      this.value = value;
      this.writes.push(value);
    }
    watch(callback: (err: Error | null | undefined, value: Level) => void): void {
      this.callbacks.push(callback);
    }
    unwatch(callback?: (err: Error | null | undefined, value: Level) => void): void {
      this.callbacks = callback ? this.callbacks.filter((c) => c !== callback) : [];
    }
    unexport(): void {
      this.callbacks = [];
      this.unexported = true;
    }
    /** What onoff does after an interrupt (and its debounce): read the value, call back. */
    fire(value: Level): void {
      this.value = value;
      for (const callback of [...this.callbacks]) callback(null, value);
    }
  };
}

/** The behaviour every GpioChip has, real or simulated. */
function chipContract(name: string, make: () => Promise<GpioChip>, bcm = 17, other = 27) {
  describe(`${name}: the GpioChip contract`, () => {
    let chip: GpioChip;
    beforeAll(async () => {
      chip = await make();
    });
    afterEach(() => chip.close());

    it('an output starts off and reads back what was written', () => {
      const line = chip.open(bcm, { direction: 'out' });
      expect(line.bcm).toBe(bcm);
      expect(line.read()).toBe(0);
      line.write(1);
      expect(line.read()).toBe(1);
      line.write(0);
      expect(line.read()).toBe(0);
    });

    it('refuses a write to an input and a watch on an output', () => {
      expect(thrownCode(() => chip.open(bcm, { direction: 'in' }).write(1))).toBe('GPIO_INVALID');
      expect(thrownCode(() => chip.open(other, { direction: 'out' }).watch(() => {}))).toBe('GPIO_INVALID');
    });

    it('a line is opened once until closed; close is idempotent and a closed line refuses use', () => {
      const line = chip.open(bcm, { direction: 'out' });
      expect(thrownCode(() => chip.open(bcm, { direction: 'in' }))).toBe('GPIO_BUSY');
      line.close();
      line.close();
      expect(thrownCode(() => line.read())).toBe('GPIO_INVALID');
      chip.open(bcm, { direction: 'in' }).close();
    });

    it('chip.close() closes every line it opened', () => {
      chip.open(bcm, { direction: 'out' });
      chip.open(other, { direction: 'in' });
      chip.close();
      chip.open(bcm, { direction: 'out' });
      chip.open(other, { direction: 'in' });
    });

    it('refuses BCM numbers that are not on the header', () => {
      for (const n of [-1, 28, 1.5]) expect(thrownCode(() => chip.open(n, { direction: 'in' }))).toBe('GPIO_INVALID');
    });
  });
}

function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

chipContract('simulated', async () => new SimulatedGpio());
chipContract('onoff over a fake onoff', async () => new OnoffGpioChip({ sysfsRoot: await fakeSysfs(pi4Kernel66), Gpio: fakeOnoff() }));

const realBcm = process.env.TEST_GPIO_BCM;
if (realBcm !== undefined) {
  // Two free header lines with nothing wired to them, e.g. TEST_GPIO_BCM=17,27.
  const [a, b] = realBcm.split(',').map(Number);
  chipContract('a real Pi through onoff', async () => createGpioChip(), a, b ?? 27);
} else {
  it.skip('a real Pi through onoff: the GpioChip contract (on a Pi, set TEST_GPIO_BCM=17,27 to two free lines)', () => {});
}

describe('createGpioChip', () => {
  // On a Pi or another board with GPIO this is covered by the contract suite with TEST_GPIO_BCM.
  const realGpio = loadOnoff()?.accessible === true || existsSync('/proc/device-tree/model');
  it('on a machine that is not a Pi, refuses with GPIO_NOT_FOUND and names the fixes instead of simulating the e-stop button', () => {
    const error = thrown(() => createGpioChip({ Gpio: fakeOnoff(false), modelFile: join(tmp, 'not-a-pi') }));
    expect(error).toBeInstanceOf(GpioError);
    expect(error.code).toBe('GPIO_NOT_FOUND');
    expect(error.message).toMatch(/gpio\.sim: true/);
    expect(error.message).toMatch(/remove the gpio lines/);
  });

  it.skipIf(realGpio)('on this machine (no sysfs GPIO, not a Pi) is GPIO_NOT_FOUND too', () => {
    expect(thrownCode(() => createGpioChip())).toBe('GPIO_NOT_FOUND');
  });

  it('the chip of a config without GPIO lines opens none', () => {
    expect(thrownCode(() => noGpioChip.open(17, { direction: 'in' }))).toBe('GPIO_INVALID');
  });

  it('is the onoff chip where onoff says GPIO is accessible', async () => {
    const chip = createGpioChip({ sysfsRoot: await fakeSysfs(pi4Kernel66), Gpio: fakeOnoff(true) });
    expect(chip).toBeInstanceOf(OnoffGpioChip);
    expect(chip.description).toBe('onoff (sysfs gpiochip512, base 512)');
  });

  it('on a Raspberry Pi whose GPIO is unusable, says why instead of simulating the e-stop button', async () => {
    const modelFile = join(tmp, 'model');
    await writeFile(modelFile, 'Raspberry Pi 5 Model B Rev 1.0\0');
    const Gpio = fakeOnoff(false);
    const absent = thrown(() => createGpioChip({ sysfsRoot: join(tmp, 'no-such-dir'), Gpio, modelFile }));
    expect(absent.code).toBe('GPIO_UNAVAILABLE');
    const noAccess = await fakeSysfs(pi5Kernel66, { exportWritable: false });
    const denied = thrown(() => createGpioChip({ sysfsRoot: noAccess, Gpio, modelFile }));
    expect(denied.code).toBe('GPIO_PERMISSION');
  });
});

describe('the simulated header (what a composition root gives an agent with gpio.sim: true)', () => {
  function simulatedChip() {
    const sim = new SimulatedGpio();
    return { sim, chip: sim as GpioChip };
  }

  it('a pressed active-low button reads 1 and its line is low; released, it goes back to its pull-up', () => {
    const { sim, chip } = simulatedChip();
    const button = chip.open(4, { direction: 'in', activeLow: true });
    expect([button.read(), sim.level(4)]).toEqual([0, 1]);
    sim.press(4);
    expect([button.read(), sim.level(4)]).toEqual([1, 0]);
    sim.release(4);
    expect([button.read(), sim.level(4)]).toEqual([0, 1]);
  });

  it('a press reaches a watcher once it is stable for debounceMs, and contact bounce does not', () => {
    vi.useFakeTimers();
    const { sim, chip } = simulatedChip();
    const heard: Level[] = [];
    chip.open(4, { direction: 'in', activeLow: true, debounceMs: 20 }).watch((v) => heard.push(v));
    sim.press(4);
    sim.release(4); // bounce
    sim.press(4);
    vi.advanceTimersByTime(19);
    expect(heard).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(heard).toEqual([1]);
    sim.release(4);
    sim.press(4); // a glitch shorter than debounce that ends where it started
    vi.advanceTimersByTime(100);
    expect(heard).toEqual([1]);
  });

  it('a press is heard on real timers too', async () => {
    const { sim, chip } = simulatedChip();
    const line = chip.open(5, { direction: 'in', activeLow: true, debounceMs: 5 });
    const heard = new Promise<Level>((resolve) => line.watch(resolve));
    sim.press(5);
    expect(await heard).toBe(1);
    chip.close();
  });

  it("honours edge: a 'falling' watcher hears releases only; 'none' hears nothing", () => {
    const { sim, chip } = simulatedChip();
    const falling: Level[] = [];
    const none: Level[] = [];
    chip.open(6, { direction: 'in', edge: 'falling' }).watch((v) => falling.push(v));
    chip.open(7, { direction: 'in', edge: 'none' }).watch((v) => none.push(v));
    for (const bcm of [6, 7]) {
      sim.press(bcm);
      sim.release(bcm);
      sim.press(bcm);
    }
    expect(falling).toEqual([0]);
    expect(none).toEqual([]);
  });

  it('an unwatch stops one listener; close drops them all and cancels a pending debounce', () => {
    vi.useFakeTimers();
    const { sim, chip } = simulatedChip();
    const line = chip.open(8, { direction: 'in', debounceMs: 10 });
    const a: Level[] = [];
    const b: Level[] = [];
    const stopA = line.watch((v) => a.push(v));
    line.watch((v) => b.push(v));
    sim.press(8);
    vi.advanceTimersByTime(10);
    stopA();
    sim.release(8);
    vi.advanceTimersByTime(10);
    sim.press(8);
    line.close();
    expect(vi.getTimerCount()).toBe(0);
    expect([a, b]).toEqual([[1], [1, 0]]);
  });

  it('a write drives the pin (inverted for an active-low LED) and is an event; close switches it off and releases it', () => {
    const { sim, chip } = simulatedChip();
    const writes: unknown[] = [];
    sim.on('write', (event) => writes.push(event));
    const led = chip.open(18, { direction: 'out', activeLow: true });
    expect(sim.level(18)).toBe(1); // off
    led.write(1);
    expect(sim.level(18)).toBe(0);
    expect(sim.lines()).toEqual([{ bcm: 18, direction: 'out', edge: 'both', activeLow: true, debounceMs: 0 }]);
    led.close();
    expect(writes).toEqual([
      { bcm: 18, value: 1, level: 0 },
      { bcm: 18, value: 0, level: 1 },
    ]);
    expect(sim.lines()).toEqual([]);
    expect(() => sim.press(18)).toThrow(/not open/);
  });
});

describe('OnoffGpioChip over a fake onoff', () => {
  it('opens BCM 17 as sysfs 529 on a 512-based kernel, active-low, interrupts on both edges', async () => {
    const Gpio = fakeOnoff();
    const chip = new OnoffGpioChip({ sysfsRoot: await fakeSysfs(pi4Kernel66), Gpio });
    chip.open(17, { direction: 'in', activeLow: true, debounceMs: 20, edge: 'rising' });
    const [gpio] = Gpio.made;
    expect([gpio?.gpio, gpio?.direction, gpio?.edge, gpio?.options]).toEqual([529, 'in', 'both', { activeLow: true }]);
  });

  it('debounces in the line: a press is heard once stable, and close cancels a pending one (onoff could not)', async () => {
    const Gpio = fakeOnoff();
    const chip = new OnoffGpioChip({ sysfsRoot: await fakeSysfs(pi4Kernel66), Gpio });
    vi.useFakeTimers();
    const heard: Level[] = [];
    const line = chip.open(17, { direction: 'in', activeLow: true, debounceMs: 20 });
    line.watch((v) => heard.push(v));
    const gpio = Gpio.made[0]!;
    gpio.fire(1);
    gpio.fire(0); // bounce
    gpio.fire(1);
    vi.advanceTimersByTime(19);
    expect(heard).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(heard).toEqual([1]);
    gpio.fire(0);
    line.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(heard).toEqual([1]);
  });

  it('on a Pi 5 BCM 17 is sysfs 588; an active-low output opens high (off) so it does not flash on', async () => {
    const Gpio = fakeOnoff();
    const chip = new OnoffGpioChip({ sysfsRoot: await fakeSysfs(pi5Kernel66), Gpio });
    expect(chip.description).toBe('onoff (sysfs gpiochip571, base 571)');
    expect(chip.open(17, { direction: 'out', activeLow: true }).read()).toBe(0);
    expect([Gpio.made[0]?.gpio, Gpio.made[0]?.direction]).toEqual([588, 'high']);
  });

  it('listeners hear changes of the settled value on their edge, and one that throws goes to onError', async () => {
    const Gpio = fakeOnoff();
    const errors: unknown[] = [];
    const chip = new OnoffGpioChip({ sysfsRoot: await fakeSysfs(pi4Kernel66), Gpio, onError: (e) => errors.push(e) });
    const rising: Level[] = [];
    const line = chip.open(22, { direction: 'in', edge: 'rising' });
    line.watch(() => {
      throw new Error('broken extension');
    });
    line.watch((v) => rising.push(v));
    const gpio = Gpio.made[0]!;
    for (const v of [1, 1, 0, 1] as Level[]) gpio.fire(v); // the second 1: a debounced bounce that came back
    expect(rising).toEqual([1, 1]);
    expect(errors).toHaveLength(2);
  });

  it('a line held by a kernel driver (EBUSY) is GPIO_BUSY with what to do', async () => {
    const Gpio = fakeOnoff();
    Gpio.failWith = Object.assign(new Error('EBUSY: resource busy or locked, write'), { code: 'EBUSY' });
    const chip = new OnoffGpioChip({ sysfsRoot: await fakeSysfs(pi4Kernel66), Gpio });
    const error = thrown(() => chip.open(4, { direction: 'in' }));
    expect(error.code).toBe('GPIO_BUSY');
    expect(error.message).toContain('/sys/kernel/debug/gpio');
  });

  it('close switches an output off, then unexports; chip.close() unexports every line', async () => {
    const Gpio = fakeOnoff();
    const chip = new OnoffGpioChip({ sysfsRoot: await fakeSysfs(pi4Kernel66), Gpio });
    const led = chip.open(18, { direction: 'out' });
    chip.open(4, { direction: 'in' }).watch(() => {});
    led.write(1);
    chip.close();
    expect(Gpio.made.map((g) => g.unexported)).toEqual([true, true]);
    expect(Gpio.made[0]?.writes).toEqual([1, 0]);
    expect(Gpio.made[1]?.callbacks).toEqual([]);
  });
});
