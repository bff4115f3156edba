import { afterEach, describe, expect, it } from 'vitest';
import type { BindingInterface, PortInfo } from '@serialport/bindings-interface';
import { BoardSimulator } from '@stemlab/simulators';
import { parseConfig } from '../src/config/load.ts';
import { combinedBinding } from '../src/kits/serial.ts';
import { doctor, formatDoctorReport } from '../src/tools/doctor.ts';

// `stemlab agent doctor` is what a technician runs when a kit does not connect: it must say what
// is on each port, which kit the agent would open where, and what to do about the rest.

/** A machine's port list as serialport reports it on a Pi; doctor never opens a port. */
function machine(ports: Array<Partial<PortInfo> & { path: string }>): BindingInterface {
  const full = ports.map((p) => ({ manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, vendorId: undefined, productId: undefined, ...p }));
  return {
    list: async () => full,
    open: () => Promise.reject(new Error('doctor must not open ports')),
  } as BindingInterface;
}

const uno = { path: '/dev/ttyACM0', manufacturer: 'Arduino (www.arduino.cc)', serialNumber: '85736323838351F0E1A1', vendorId: '2341', productId: '0043' };
const mega = { path: '/dev/ttyACM1', manufacturer: 'Arduino (www.arduino.cc)', serialNumber: '7573530383535170A0D1', vendorId: '2341', productId: '0042' };
const ch340 = { path: '/dev/ttyUSB0', manufacturer: '1a86', vendorId: '1a86', productId: '7523' };
const ftdi = { path: '/dev/ttyUSB1', manufacturer: 'FTDI', serialNumber: 'A50285BI', vendorId: '0403', productId: '6001' };
const uart = { path: '/dev/ttyAMA0' };

let sim: BoardSimulator | undefined;
afterEach(() => {
  sim?.close();
  sim = undefined;
});

const config = (kits: unknown[], extra: Record<string, unknown> = {}) => parseConfig({ unit: 'thcs-test-01', gateway: 'gw-1', room: 'robot-club', kits, ...extra });
const kit = (id: string, find: Record<string, unknown>, board = 'uno') => ({ id, board, find });

describe('doctor without a config', () => {
  it('recognises official Arduinos and the USB-serial chips of clones, and gives the find: line for each', async () => {
    const report = await doctor(machine([uno, mega, ch340, ftdi, uart]));
    const byPath = new Map(report.ports.map((p) => [p.path, p]));
    expect(byPath.get('/dev/ttyACM0')?.recognised).toMatchObject({ name: 'Arduino Uno', board: 'uno', arduinoLike: true });
    expect(byPath.get('/dev/ttyACM1')?.recognised).toMatchObject({ name: 'Arduino Mega 2560', board: 'mega' });
    expect(byPath.get('/dev/ttyUSB0')?.recognised?.name).toMatch(/CH340/);
    expect(byPath.get('/dev/ttyUSB1')?.recognised?.name).toMatch(/FTDI/);
    expect(byPath.get('/dev/ttyAMA0')?.recognised).toBeUndefined();
    expect(byPath.get('/dev/ttyACM0')?.suggestedFind).toBe("find: { serialNumber: '85736323838351F0E1A1' }");
    // A CH340 has no serial number: the only stable handles are its USB id and its path.
    expect(byPath.get('/dev/ttyUSB0')?.suggestedFind).toBe("find: { vendorId: '1a86', productId: '7523', path: /dev/ttyUSB0 }");
    expect(report.kits).toEqual([]);
    expect(report.ok).toBe(true);
    const text = formatDoctorReport(report);
    expect(text).toContain('Arduino Uno (2341:0043)');
    expect(text).toContain('no USB ids');
  });

  it('says so when nothing is plugged in', async () => {
    expect(formatDoctorReport(await doctor(machine([])))).toMatch(/none: no USB serial device/);
  });
});

describe('doctor with a config', () => {
  it('matches kits by serial number, USB id and sim, and reports a missing kit with what to check', async () => {
    sim = new BoardSimulator();
    sim.add({ name: 'robot-sim', board: 'uno' });
    const binding = combinedBinding(machine([uno, mega, ch340, uart]), sim.binding);
    const report = await doctor(
      binding,
      config([
        kit('robot-1', { serialNumber: '85736323838351F0E1A1' }),
        kit('clone', { vendorId: '1a86', productId: '7523' }),
        kit('robot-sim', { sim: 'robot-sim' }),
        kit('robot-9', { serialNumber: '0000DEADBEEF' }),
      ]),
    );
    const kits = new Map(report.kits.map((k) => [k.id, k]));
    expect(kits.get('robot-1')).toMatchObject({ status: 'ok', found: { path: '/dev/ttyACM0', via: 'serialNumber' } });
    expect(kits.get('clone')).toMatchObject({ status: 'ok', found: { path: '/dev/ttyUSB0', via: 'usb id' } });
    expect(kits.get('robot-sim')).toMatchObject({ status: 'ok', found: { path: 'sim:robot-sim', via: 'sim' } });
    const missing = kits.get('robot-9')!;
    expect(missing.status).toBe('missing');
    expect(missing.notes.join('\n')).toMatch(/no port has serial number 0000DEADBEEF/);
    expect(missing.notes.join('\n')).toMatch(/data cable/);
    // The Mega is plugged in but no kit claims it: the note offers its serial number.
    expect(report.unclaimed).toEqual(['/dev/ttyACM1']);
    expect(missing.notes.join('\n')).toContain("/dev/ttyACM1 (find: { serialNumber: '7573530383535170A0D1' })");
    expect(report.ports.find((p) => p.path === '/dev/ttyACM0')?.kit).toEqual({ id: 'robot-1', via: 'serialNumber' });
    expect(report.ok).toBe(false);

    const text = formatDoctorReport(report);
    expect(text).toMatch(/MISSING\s+robot-9/);
    expect(text).toContain("for a kit on it: find: { serialNumber: '7573530383535170A0D1' }, board: mega");
    expect(text.split('\n').at(-1)).toBe('3 of 4 kits found, 1 unclaimed Arduino port(s)');
  });

  it('a simulated kit whose board is not running is missing', async () => {
    const report = await doctor(machine([]), config([kit('robot-sim', { sim: 'robot-sim' })]));
    expect(report.kits[0]).toMatchObject({ status: 'missing' });
    expect(report.kits[0]!.notes[0]).toMatch(/simulated board 'robot-sim' is not running/);
  });

  it('flags a kit whose board is not the one the config says, and a replaced board found by USB id', async () => {
    const report = await doctor(
      machine([mega]),
      config([kit('robot-1', { serialNumber: 'OLD-BOARD', vendorId: '2341', productId: '0042' })]),
    );
    const [robot] = report.kits;
    expect(robot).toMatchObject({ status: 'warn', found: { path: '/dev/ttyACM1', via: 'usb id' } });
    expect(robot!.notes.join('\n')).toContain("use serialNumber: '7573530383535170A0D1'");
    expect(robot!.notes.join('\n')).toMatch(/config says board: uno .* reports an Arduino Mega 2560/);
    expect(report.ok).toBe(true);
  });

  it('warns when two boards report the same serial number', async () => {
    const a = { path: '/dev/ttyUSB0', serialNumber: '0001', vendorId: '10c4', productId: 'ea60' };
    const report = await doctor(machine([a, { ...a, path: '/dev/ttyUSB1' }]));
    expect(report.ports[0]!.notes[0]).toMatch(/\/dev\/ttyUSB1 reports the same serial number/);
  });

  it("reports the GPIO chip and the config's lines, and says when they are only simulated", async () => {
    const withGpio = config([], { gpio: { estop: { bcm: 17 }, leds: [{ id: 'status', bcm: 22 }] } });
    const report = await doctor(machine([]), withGpio, { description: 'simulated' });
    expect(report.gpio).toMatchObject({ description: 'simulated', lines: ['e-stop: BCM 17', "LED 'status': BCM 22"] });
    expect(report.gpio!.notes[0]).toMatch(/simulated/);
    const broken = await doctor(machine([]), withGpio, { description: 'none', problem: 'cannot write /sys/class/gpio/export (EACCES)' });
    expect(broken.ok).toBe(false);
    expect(formatDoctorReport(broken)).toContain('PROBLEM: cannot write /sys/class/gpio/export');
  });
});
