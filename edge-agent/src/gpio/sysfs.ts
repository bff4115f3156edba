/**
 * From the BCM numbers on the header to the numbers of the sysfs GPIO interface onoff uses.
 *
 * Before Linux 6.6 the Pi's header chip had base 0, so GPIO17 was /sys/class/gpio/gpio17. Since
 * 6.6 the kernel assigns bases dynamically from 512 up: a Pi 3 or 4 has its header chip at
 * gpiochip512, a Pi 5 at gpiochip571 (the header is on the RP1 southbridge, after four
 * brcmstb chips of the BCM2712), and the numbers can move again with the next kernel. So the
 * chip is found by its label, never by its number, and the same config works on every image.
 */
import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GpioError } from './errors.ts';

export interface GpioBase {
  /** The sysfs number of BCM 0: GPIO17 is `base + 17`. */
  base: number;
  /** The chip's directory name, e.g. 'gpiochip512'. */
  chip: string;
  /** Its driver's label, e.g. 'pinctrl-bcm2711'. */
  label: string;
}

/**
 * Labels of the chip that carries the 40-pin header, best first. On a Pi 5 the BCM2712's own
 * chips (labelled `gpio-brcmstb@…`, or `pinctrl-bcm2712` by its pin controller) are not the
 * header: it is RP1's. So 'pinctrl-bcm2712' is deliberately absent — matching it when RP1's
 * chip is missing would drive the wrong pins, which is worse than refusing.
 */
export const headerChipLabels = [
  'pinctrl-rp1', // Pi 5, Pi 500, CM5 (RP1)
  'pinctrl-bcm2711', // Pi 4, Pi 400, CM4
  'pinctrl-bcm2835', // Pi 1–3, Zero, Zero 2 W, CM1–3
] as const;

/** BCM 0–27 are on the header; a chip with fewer lines cannot be the header chip. */
const HEADER_LINES = 28;

interface ChipInfo {
  chip: string;
  base: number;
  label: string;
  ngpio: number;
}

/** Finds the header chip in `sysfsRoot` and checks that this user may export lines. Throws GpioError. */
export function resolveGpioBase(sysfsRoot = '/sys/class/gpio'): GpioBase {
  if (!existsSync(sysfsRoot)) {
    throw new GpioError(
      'GPIO_UNAVAILABLE',
      `${sysfsRoot} does not exist: this kernel has no sysfs GPIO (CONFIG_GPIO_SYSFS), which newer Raspberry Pi OS images drop. ` +
        'Use a Raspberry Pi OS image whose kernel still has it (Bookworm does), or remove the gpio section from the agent config ' +
        'to run without the Pi\'s buttons, LEDs and e-stop button.',
    );
  }
  const chips = listChips(sysfsRoot);
  const header = pickHeaderChip(chips);
  if (header === undefined) {
    const found = chips.length === 0 ? 'no gpiochip at all' : chips.map((c) => `${c.chip} '${c.label}'`).join(', ');
    throw new GpioError(
      'GPIO_UNAVAILABLE',
      `no Raspberry Pi header GPIO chip in ${sysfsRoot} (found ${found}; expected one labelled ${headerChipLabels.join(', ')}). ` +
        'GPIO lines in the agent config are Raspberry Pi BCM numbers: on another board, remove the gpio section from the config.',
    );
  }
  checkExportWritable(join(sysfsRoot, 'export'));
  return { base: header.base, chip: header.chip, label: header.label };
}

function listChips(sysfsRoot: string): ChipInfo[] {
  const chips: ChipInfo[] = [];
  for (const name of readdirSync(sysfsRoot)) {
    if (!/^gpiochip\d+$/.test(name)) continue;
    try {
      const read = (file: string) => readFileSync(join(sysfsRoot, name, file), 'utf8').trim();
      const base = Number(read('base'));
      const ngpio = Number(read('ngpio'));
      if (Number.isInteger(base) && Number.isInteger(ngpio)) chips.push({ chip: name, base, label: read('label'), ngpio });
    } catch {
      // A chip whose attributes cannot be read cannot be used either; the others may be the header.
    }
  }
  return chips;
}

function pickHeaderChip(chips: readonly ChipInfo[]): ChipInfo | undefined {
  for (const label of headerChipLabels) {
    const chip = chips.find((c) => c.label === label && c.ngpio >= HEADER_LINES);
    if (chip) return chip;
  }
  return undefined;
}

/**
 * Opening `export` for writing (and writing nothing) is the check onoff's `Gpio.accessible` makes;
 * doing it here lets the error say which of the two failures it is.
 */
function checkExportWritable(exportPath: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(exportPath, constants.O_WRONLY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') {
      throw new GpioError('GPIO_UNAVAILABLE', `${exportPath} does not exist: the kernel's sysfs GPIO interface is incomplete; use a standard Raspberry Pi OS kernel`, { cause: err });
    }
    throw new GpioError(
      'GPIO_PERMISSION',
      `cannot write ${exportPath} (${code}): add the user to the gpio group: sudo usermod -aG gpio $USER, then log in again`,
      { cause: err },
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
