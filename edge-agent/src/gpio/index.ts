/**
 * The GPIO chip the agent uses: the Pi's real lines through onoff where sysfs GPIO is usable,
 * otherwise the simulated header from `simulators/` (any non-Pi machine: a laptop, CI).
 *
 * One exception to "not accessible → simulated": on a Raspberry Pi whose GPIO is not usable
 * (a kernel without sysfs GPIO, a user outside the gpio group) falling back would leave the
 * e-stop button silently dead, so the GpioError that says what to do is thrown instead. Create
 * the chip only when the config has GPIO lines, so that a Pi without any still starts.
 */
import { readFileSync } from 'node:fs';
import { SimulatedGpio } from '@stemlab/simulators';
import { GpioError } from './errors.ts';
import { loadOnoff, OnoffGpioChip, type OnoffGpioClass } from './onoff.ts';
import { resolveGpioBase } from './sysfs.ts';
import type { GpioChip } from './types.ts';

export type { GpioChip, GpioLine, GpioLineOptions, Level } from './types.ts';
export { GpioError, gpioErrorCodes, type GpioErrorCode } from './errors.ts';
export { resolveGpioBase, headerChipLabels, type GpioBase } from './sysfs.ts';
export { OnoffGpioChip, type OnoffGpioChipOptions, type OnoffGpioClass } from './onoff.ts';

export interface CreateGpioChipOptions {
  /** Where to find the gpiochips (default /sys/class/gpio); onoff itself always uses /sys/class/gpio. */
  sysfsRoot?: string;
  /** The simulated chip to use when there is no real GPIO (a test keeps it to press buttons). */
  simulated?: SimulatedGpio;
  /** onoff's `Gpio` by default; tests pass a fake. */
  Gpio?: OnoffGpioClass;
  /** The device-tree model file that says whether this is a Raspberry Pi. */
  modelFile?: string;
  /** Passed to OnoffGpioChip: errors of the interrupt poller and of watch listeners. */
  onError?: (error: unknown, bcm: number) => void;
}

/** Throws GpioError on a Raspberry Pi whose GPIO cannot be used; never throws elsewhere. */
export function createGpioChip(options: CreateGpioChipOptions = {}): GpioChip {
  const Gpio = options.Gpio ?? loadOnoff();
  if (Gpio?.accessible) return new OnoffGpioChip({ sysfsRoot: options.sysfsRoot, Gpio, onError: options.onError });
  if (isRaspberryPi(options.modelFile)) {
    resolveGpioBase(options.sysfsRoot); // throws the reason: no sysfs GPIO, or no permission
    throw new GpioError(
      'GPIO_UNAVAILABLE',
      Gpio === undefined
        ? "onoff could not load its native epoll addon: run `npm rebuild epoll` in the agent's directory"
        : 'onoff cannot open /sys/class/gpio/export for writing; `stemlab agent doctor` shows why',
    );
  }
  return options.simulated ?? new SimulatedGpio();
}

function isRaspberryPi(modelFile = '/proc/device-tree/model'): boolean {
  try {
    return readFileSync(modelFile, 'utf8').includes('Raspberry Pi');
  } catch {
    return false;
  }
}
