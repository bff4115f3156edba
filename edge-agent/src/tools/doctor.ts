/**
 * `stemlab agent doctor`: what a technician needs when a kit does not connect. It lists the
 * serial ports, says what each USB id is (an Uno, a Mega, a CH340 clone...), matches every kit of
 * the config to a port exactly as the agent will (`findPort`), says what to check for a kit that
 * is missing, and gives the `find:` line to paste for an Arduino no kit claims yet. It only lists
 * ports, never opens them: a running agent may hold them, and opening resets the board (DTR).
 */
import type { BindingInterface, PortInfo } from '@serialport/bindings-interface';
import { boards, type BoardKind } from '@stemlab/protocol';
import type { AgentConfig, KitConfig } from '../config/schema.ts';
import { describeFinder, findPort, type FoundPort } from '../kits/finder.ts';

export interface Recognised {
  name: string;
  /** The config's board kind, for official boards the kits use. */
  board?: BoardKind;
  /** An Arduino, or a USB-serial chip that Arduino clones are built on: worth a kit. */
  arduinoLike: boolean;
  note?: string;
}

const NO_SERIAL_CHIP = 'this chip has no USB serial number: find the kit by path, or by USB id when it is the only one';
const CLONE = 'a clone Uno/Nano/Mega, or any other device built on this chip';

// Official ids from Arduino's boards.txt (AVR core, and the Renesas core for the R4); the chips
// are the USB-serial bridges on clones. Keys are lowercase, as serialport reports them on Linux.
const usbIds: Record<string, Omit<Recognised, 'arduinoLike'>> = {
  '2341:0043': { name: 'Arduino Uno', board: 'uno' },
  '2341:0001': { name: 'Arduino Uno (first revision)', board: 'uno' },
  '2341:0243': { name: 'Genuino Uno', board: 'uno' },
  '2341:006a': { name: 'Arduino Uno', board: 'uno' },
  '2a03:0043': { name: 'Arduino Uno (Arduino SA / arduino.org)', board: 'uno' },
  '2341:0069': { name: 'Arduino UNO R4 Minima', note: 'an R4 is not an AVR Uno: its pins and firmware differ from board: uno' },
  '2341:1002': { name: 'Arduino UNO R4 WiFi', note: 'an R4 is not an AVR Uno: its pins and firmware differ from board: uno' },
  '2341:0042': { name: 'Arduino Mega 2560', board: 'mega' },
  '2341:0010': { name: 'Arduino Mega 2560 (first revision)', board: 'mega' },
  '2341:0210': { name: 'Arduino Mega 2560', board: 'mega' },
  '2341:0242': { name: 'Genuino Mega 2560', board: 'mega' },
  '2a03:0042': { name: 'Arduino Mega 2560 (Arduino SA / arduino.org)', board: 'mega' },
  '2a03:0010': { name: 'Arduino Mega 2560 (Arduino SA / arduino.org)', board: 'mega' },
  '1a86:7523': { name: 'CH340 USB-serial', note: `${CLONE}; ${NO_SERIAL_CHIP}` },
  '1a86:5523': { name: 'CH341 USB-serial', note: `${CLONE}; ${NO_SERIAL_CHIP}` },
  '1a86:55d4': { name: 'CH9102 USB-serial', note: CLONE },
  '0403:6001': { name: 'FTDI FT232R USB-serial', note: `${CLONE} (older Nano, Duemilanove)` },
  '0403:6015': { name: 'FTDI FT231X USB-serial', note: CLONE },
  '10c4:ea60': { name: 'Silicon Labs CP210x USB-serial', note: `${CLONE}; many CP210x share serial number 0001` },
};
const arduinoVendors = new Set(['2341', '2a03']);

/** What a port's USB ids say is on it; undefined for a port without USB ids or an unknown device. */
export function recognise(port: PortInfo): Recognised | undefined {
  const vendor = port.vendorId?.toLowerCase();
  const product = port.productId?.toLowerCase();
  if (vendor === undefined || product === undefined) return undefined;
  const known = usbIds[`${vendor}:${product}`];
  if (known) return { ...known, arduinoLike: true };
  if (arduinoVendors.has(vendor)) return { name: `Arduino board ${vendor}:${product}`, arduinoLike: true, note: 'not an Uno or a Mega, the boards kits are built on' };
  return undefined;
}

export interface PortReport {
  path: string;
  manufacturer: string | undefined;
  serialNumber: string | undefined;
  /** 'vvvv:pppp', lowercase. */
  usbId: string | undefined;
  recognised: Recognised | undefined;
  /** The kit the agent would open on this port, and how it finds it. */
  kit: { id: string; via: FoundPort['via'] } | undefined;
  /** For an Arduino-like port: the `find:` of a kit on it, to paste into the config. */
  suggestedFind: string | undefined;
  notes: string[];
}

export interface KitReport {
  id: string;
  label: string | undefined;
  board: BoardKind;
  /** The config's finder as people read it. */
  finder: string;
  found: FoundPort | undefined;
  /** ok: found as configured; warn: found, with a doubt to check; missing: the agent cannot open it. */
  status: 'ok' | 'warn' | 'missing';
  notes: string[];
}

export interface GpioReport {
  /** The chip in use: 'onoff (sysfs gpiochip512, base 512)' or 'simulated'. */
  description: string;
  /** Why the Pi's GPIO cannot be used (a GpioError's message), when it cannot. */
  problem?: string;
  /** The config's lines: 'e-stop: BCM 17'. */
  lines: string[];
  notes: string[];
}

export interface DoctorReport {
  ports: PortReport[];
  /** Empty without a config. */
  kits: KitReport[];
  /** Arduino-like ports that no kit of the config claims (empty without a config). */
  unclaimed: string[];
  gpio: GpioReport | undefined;
  /** Every kit found and GPIO usable: the CLI's exit status. */
  ok: boolean;
}

export async function doctor(binding: BindingInterface, config?: AgentConfig, gpio?: { description: string; problem?: string }): Promise<DoctorReport> {
  const listed = await binding.list();
  const ports = listed.map(portReport);
  const kits = (config?.kits ?? []).map((kit) => kitReport(kit, listed, ports));
  const byPath = new Map(ports.map((p) => [p.path, p]));
  for (const kit of kits) {
    const port = kit.found && byPath.get(kit.found.path);
    if (port && !port.kit) port.kit = { id: kit.id, via: kit.found!.via };
  }
  sharedPorts(kits);
  sharedSerials(ports);
  const unclaimed = config ? ports.filter((p) => p.recognised?.arduinoLike && !p.kit).map((p) => p.path) : [];
  for (const kit of kits) {
    if (kit.status !== 'missing' || unclaimed.length === 0) continue;
    const which = unclaimed.map((path) => `${path} (${byPath.get(path)!.suggestedFind})`).join('; ');
    kit.notes.push(`Arduino-like ports no kit claims: ${which}. If this kit's board was replaced or re-flashed, put that find: in the config`);
  }
  const gpioReport = gpio && gpioLines(gpio, config);
  const ok = kits.every((k) => k.status !== 'missing') && gpioReport?.problem === undefined;
  return { ports, kits, unclaimed, gpio: gpioReport, ok };
}

function portReport(port: PortInfo): PortReport {
  const seen = recognise(port);
  const recognised = seen && port.path.startsWith('sim:') ? { ...seen, name: `simulated ${seen.name}` } : seen;
  const vendor = port.vendorId?.toLowerCase();
  const product = port.productId?.toLowerCase();
  const usbId = vendor !== undefined && product !== undefined ? `${vendor}:${product}` : undefined;
  let suggestedFind: string | undefined;
  if (port.path.startsWith('sim:')) suggestedFind = `find: { sim: ${port.path.slice(4)} }`;
  else if (recognised?.arduinoLike) {
    // Quoted: YAML would read an all-digit serial or 0043 as a number.
    suggestedFind = port.serialNumber
      ? `find: { serialNumber: '${port.serialNumber}' }`
      : `find: { vendorId: '${vendor}', productId: '${product}', path: ${port.path} }`;
  }
  return { path: port.path, manufacturer: port.manufacturer, serialNumber: port.serialNumber, usbId, recognised, kit: undefined, suggestedFind, notes: [] };
}

function kitReport(kit: KitConfig, listed: readonly PortInfo[], ports: readonly PortReport[]): KitReport {
  const { find } = kit;
  const found = findPort(find, listed);
  const notes: string[] = [];
  const report: KitReport = { id: kit.id, label: kit.label, board: kit.board, finder: describeFinder(find), found, status: 'ok', notes };
  const port = found && ports.find((p) => p.path === found.path);
  const doubt = (note: string) => {
    report.status = 'warn';
    notes.push(note);
  };
  if (!found) {
    report.status = 'missing';
    if (find.sim !== undefined) notes.push(`simulated board '${find.sim}' is not running here: sim kits exist inside the agent that runs this config`);
    else {
      if (find.serialNumber !== undefined) notes.push(`no port has serial number ${find.serialNumber}`);
      if (find.vendorId !== undefined) notes.push(`no port has USB id ${find.vendorId}:${find.productId}`);
      notes.push('is the kit plugged in, and its cable a data cable (charge-only cables are common)? On Linux, `dmesg -w` while plugging it in shows whether the Pi sees it');
    }
    return report;
  }
  if (found.via === 'path' && !port) {
    doubt(`${found.path} is not listed: fine for a pseudo-terminal (simavr), otherwise the board is unplugged and the agent will retry`);
  }
  if (find.serialNumber !== undefined && found.via !== 'serialNumber') {
    doubt(`serial number ${find.serialNumber} was not seen; found by ${found.via} instead${port?.serialNumber ? `: if the board was replaced, use serialNumber: '${port.serialNumber}'` : ''}`);
  }
  const seen = port?.recognised;
  if (seen?.board !== undefined && seen.board !== kit.board) {
    doubt(`the config says board: ${kit.board} (${boards[kit.board].title}) but ${found.path} reports an ${seen.name}; fix board:`);
  } else if (seen?.note && seen.board === undefined) notes.push(`${seen.name}: ${seen.note}`);
  return report;
}

/** Two kits that resolve to one port: only one of them can open it. */
function sharedPorts(kits: KitReport[]): void {
  for (const kit of kits) {
    const others = kits.filter((k) => k !== kit && k.found && k.found.path === kit.found?.path).map((k) => k.id);
    if (others.length === 0) continue;
    kit.status = kit.status === 'missing' ? 'missing' : 'warn';
    kit.notes.push(`${kit.found!.path} is also where ${others.join(', ')} would open; one port holds one board: give each kit a serialNumber`);
  }
}

/** Identical serial numbers (cheap CP210x and clones) cannot tell boards apart. */
function sharedSerials(ports: PortReport[]): void {
  for (const port of ports) {
    if (!port.serialNumber) continue;
    const twins = ports.filter((p) => p !== port && p.serialNumber === port.serialNumber).map((p) => p.path);
    if (twins.length > 0) port.notes.push(`${twins.join(', ')} report${twins.length === 1 ? 's' : ''} the same serial number: find these boards by path instead`);
  }
}

function gpioLines(gpio: { description: string; problem?: string }, config: AgentConfig | undefined): GpioReport {
  const lines: string[] = [];
  const notes: string[] = [];
  if (config) {
    const { estop, buttons, leds } = config.gpio;
    if (estop) lines.push(`e-stop: BCM ${estop.bcm}`);
    for (const b of buttons) lines.push(`button '${b.id}': BCM ${b.bcm}`);
    for (const l of leds) lines.push(`LED '${l.id}': BCM ${l.bcm}`);
  }
  if (gpio.description === 'simulated' && lines.length > 0) {
    notes.push("this machine has no usable GPIO, so the config's lines are simulated: buttons on a header, the e-stop among them, do nothing here");
  }
  return { description: gpio.description, ...(gpio.problem !== undefined ? { problem: gpio.problem } : {}), lines, notes };
}

/** The report as plain text for a technician's terminal. */
export function formatDoctorReport(report: DoctorReport): string {
  const out: string[] = [`Serial ports (${report.ports.length})`];
  if (report.ports.length === 0) out.push('  none: no USB serial device is plugged in (or this user cannot see them)');
  const width = Math.max(0, ...report.ports.map((p) => p.path.length));
  for (const port of report.ports) {
    const what = port.recognised ? `${port.recognised.name} (${port.usbId})` : port.usbId ? `unknown USB device (${port.usbId})` : 'no USB ids (a built-in UART or a virtual port)';
    const serial = port.serialNumber ? `serial ${port.serialNumber}` : port.usbId ? 'no serial number' : '';
    const owner = port.kit ? `-> kit ${port.kit.id} (by ${port.kit.via})` : port.recognised?.arduinoLike && report.kits.length > 0 ? '-> no kit' : '';
    out.push(`  ${port.path.padEnd(width)}  ${[what, serial, owner].filter(Boolean).join('  ')}`);
    if (!port.kit && port.suggestedFind) out.push(`      for a kit on it: ${port.suggestedFind}${port.recognised?.board ? `, board: ${port.recognised.board}` : ''}`);
    if (port.recognised?.note && !port.kit) out.push(`      note: ${port.recognised.note}`);
    for (const note of port.notes) out.push(`      note: ${note}`);
  }
  if (report.kits.length > 0) {
    out.push('', `Kits (${report.kits.length})`);
    const idWidth = Math.max(...report.kits.map((k) => k.id.length));
    for (const kit of report.kits) {
      const where = kit.found ? `-> ${kit.found.path} (by ${kit.found.via})` : '-> not found';
      out.push(`  ${kit.status.toUpperCase().padEnd(7)}  ${kit.id.padEnd(idWidth)}  ${kit.board}  ${kit.finder}  ${where}`);
      for (const note of kit.notes) out.push(`      - ${note}`);
    }
  }
  if (report.gpio) {
    out.push('', `GPIO: ${report.gpio.description}`);
    if (report.gpio.problem) out.push(`  PROBLEM: ${report.gpio.problem}`);
    for (const line of report.gpio.lines) out.push(`  ${line}`);
    for (const note of report.gpio.notes) out.push(`  note: ${note}`);
  }
  const missing = report.kits.filter((k) => k.status === 'missing').length;
  const doubts = report.kits.filter((k) => k.status === 'warn').length;
  const verdict = report.kits.length === 0 ? `${report.ports.length} port(s) listed` : `${report.kits.length - missing} of ${report.kits.length} kits found`;
  const extra = [doubts > 0 ? `${doubts} to check` : '', report.unclaimed.length > 0 ? `${report.unclaimed.length} unclaimed Arduino port(s)` : '', report.gpio?.problem ? 'GPIO unusable' : ''];
  out.push('', [verdict, ...extra].filter(Boolean).join(', '));
  return out.join('\n');
}
