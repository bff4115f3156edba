/**
 * The Pi's real GPIO chip: its lines through onoff where sysfs GPIO is usable. There is no
 * fallback: an agent whose config has GPIO lines on a machine without them refuses to start
 * (GPIO_NOT_FOUND, naming the fix), so an e-stop button is never silently wired to nothing.
 * A simulated header is a composition root's choice (`gpio.sim: true`, see compose/), never the
 * agent's. Create the chip only when the config has GPIO lines, so a Pi without any still starts.
 */
import { readFileSync } from 'node:fs';
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
  /** onoff's `Gpio` by default; tests pass a fake. */
  Gpio?: OnoffGpioClass;
  /** The device-tree model file that says whether this is a Raspberry Pi. */
  modelFile?: string;
  /** Passed to OnoffGpioChip: errors of the interrupt poller and of watch listeners. */
  onError?: (error: unknown, bcm: number) => void;
}

/** The onoff chip; throws a GpioError saying what to do where there is no usable GPIO. */
export function createGpioChip(options: CreateGpioChipOptions = {}): GpioChip {
  const Gpio = options.Gpio ?? loadOnoff();
  if (Gpio?.accessible) return new OnoffGpioChip({ sysfsRoot: options.sysfsRoot, Gpio, onError: options.onError });
  if (!isRaspberryPi(options.modelFile)) {
    throw new GpioError(
      'GPIO_NOT_FOUND',
      'the config uses GPIO lines (gpio.estop, gpio.buttons, gpio.leds) but this machine has no Raspberry Pi GPIO: run the agent on the gateway\'s Pi, remove the gpio lines from the config, or set gpio.sim: true to simulate the header (a laptop, a demo)',
    );
  }
  resolveGpioBase(options.sysfsRoot); // throws the reason: no sysfs GPIO, or no permission
  throw new GpioError(
    'GPIO_UNAVAILABLE',
    Gpio === undefined
      ? "onoff could not load its native epoll addon: run `npm rebuild epoll` in the agent's directory"
      : 'onoff cannot open /sys/class/gpio/export for writing; `stemlab agent doctor` shows why',
  );
}

/** The chip of a gateway whose config has no GPIO line: it has none to open. */
export const noGpioChip: GpioChip = {
  description: 'none (the config uses no GPIO line)',
  open(bcm) {
    throw new GpioError('GPIO_INVALID', `GPIO${bcm}: the config has no GPIO lines, so the agent opened no GPIO chip`);
  },
  close() {},
};

function isRaspberryPi(modelFile = '/proc/device-tree/model'): boolean {
  try {
    return readFileSync(modelFile, 'utf8').includes('Raspberry Pi');
  } catch {
    return false;
  }
}
