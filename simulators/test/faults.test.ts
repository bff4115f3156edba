import { afterEach, describe, expect, it, vi } from 'vitest';
import five from 'johnny-five';
import { SerialPortStream } from '@serialport/stream';
import { BoardSimulator } from '../src/index.ts';
import { openBoard, type J5Board } from './helpers/johnny-five.ts';
import { nextEvent, pinChange } from './helpers/wait.ts';

// What students and classrooms do to kits: pull the cable, plug it back, noise on the line,
// a board that hangs. The simulator must produce each the way the real stack would see it.

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function simulator(): BoardSimulator {
  const sim = new BoardSimulator();
  cleanup.push(() => sim.close());
  return sim;
}

async function j5(sim: BoardSimulator, path: string): Promise<J5Board> {
  const board = await openBoard(path, sim.binding);
  cleanup.push(() => board.close());
  return board;
}

describe('unplug and re-plug', () => {
  it('closes the host port with a disconnect error, vanishes from list(), and works again when re-plugged', async () => {
    const sim = simulator();
    const port = sim.add({ name: 'robot-1', board: 'uno' });
    const first = await j5(sim, port.path);
    new five.Led({ pin: 13, board: first.board }).on();
    await pinChange(port.board, 13, (s) => s.value === 1);

    const closed = nextEvent<Error & { disconnected?: boolean }>(first.port, 'close');
    port.unplug();
    const error = await closed;
    expect(error.disconnected).toBe(true);
    expect(first.port.isOpen).toBe(false);
    expect(await sim.binding.list()).toEqual([]);
    // A board without power forgets its pins.
    expect(port.board.pinState(13).value).toBe(0);

    await expect(openBoard(port.path, sim.binding)).rejects.toThrow(/No such file/);

    port.plug();
    expect((await sim.binding.list()).map((p) => p.path)).toEqual(['sim:robot-1']);
    const second = await j5(sim, port.path);
    new five.Led({ pin: 13, board: second.board }).on();
    await pinChange(port.board, 13, (s) => s.value === 1);
  });

  it('refuses a second host on a port that is open, as a locked tty does', async () => {
    const sim = simulator();
    const port = sim.add({ name: 'k', board: 'uno' });
    await j5(sim, port.path);
    const intruder = new SerialPortStream({ path: port.path, baudRate: 57_600, binding: sim.binding, autoOpen: false });
    await expect(new Promise((resolve, reject) => intruder.open((err) => (err ? reject(err) : resolve(undefined))))).rejects.toThrow(/lock/i);
  });
});

describe('noise and hangs', () => {
  it('garbage bytes on the line do not stop Johnny-Five from reading and writing', async () => {
    const sim = simulator();
    const port = sim.add({ name: 'k', board: 'uno' });
    const host = await j5(sim, port.path);
    const sensor = new five.Sensor({ pin: 'A1', freq: 10, board: host.board });
    port.board.setAnalog(1, 300);
    for (let i = 0; i < 20; i++) port.board.sendGarbage();
    port.board.setAnalog(1, 700);
    await new Promise<void>((resolve) => sensor.on('data', () => sensor.value === 700 && resolve()));
    new five.Led({ pin: 12, board: host.board }).on();
    await pinChange(port.board, 12, (s) => s.value === 1);
  });

  it('a stalled board stops answering and reporting; re-opening the port resets it', async () => {
    const sim = simulator();
    const port = sim.add({ name: 'k', board: 'uno' });
    const host = await j5(sim, port.path);
    const sensor = new five.Sensor({ pin: 'A0', freq: 10, board: host.board });
    await nextEvent(sensor, 'data');
    port.board.stall();
    // Let anything already on the wire arrive, then count what the hung board sends.
    await new Promise((r) => setTimeout(r, 30));
    let bytesAfterStall = 0;
    host.port.on('data', (chunk: Buffer) => (bytesAfterStall += chunk.length));
    new five.Led({ pin: 13, board: host.board }).on();
    await new Promise((r) => setTimeout(r, 100));
    expect(port.board.pinState(13).value).toBe(0);
    expect(bytesAfterStall).toBe(0);
    await host.close();
    const again = await j5(sim, port.path);
    expect(port.board.isStalled).toBe(false);
    new five.Led({ pin: 13, board: again.board }).on();
    await pinChange(port.board, 13, (s) => s.value === 1);
  });
});

describe('several boards in one simulator', () => {
  it('each on its own port, each with its own pins', async () => {
    const sim = simulator();
    const ports = ['a', 'b', 'c'].map((name, i) => sim.add({ name, board: i === 2 ? 'mega' : 'uno' }));
    const hosts = await Promise.all(ports.map((p) => j5(sim, p.path)));
    hosts.forEach((h, i) => new five.Led({ pin: 10 + i, board: h.board }).on());
    await Promise.all(ports.map((p, i) => pinChange(p.board, 10 + i, (s) => s.value > 0)));
    for (const [i, p] of ports.entries()) {
      for (const pin of [10, 11, 12]) expect(p.board.pinState(pin).value > 0).toBe(pin === 10 + i);
    }
    ports[1]!.unplug();
    new five.Led({ pin: 13, board: hosts[0]!.board }).on();
    await pinChange(ports[0]!.board, 13, (s) => s.value === 1);
  });

  it('two simulators in one process do not see each other', async () => {
    const one = simulator();
    const two = simulator();
    one.add({ name: 'same', board: 'uno' });
    expect(await two.binding.list()).toEqual([]);
    expect(() => two.port('same')).toThrow(/no simulated board/);
  });
});

describe('wire rate', () => {
  it('holds the link to 57,600 baud: 5,760 bytes a second at most', async () => {
    // The link's pace comes from timers and performance.now(); a fake clock, installed before the
    // port exists so every reading comes from it, makes the measured second exact: a loaded
    // machine (late timers arriving in bursts) cannot skew the rate.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
    cleanup.push(() => {
      vi.useRealTimers();
    });
    const sim = simulator();
    const port = sim.add({ name: 'slow', board: 'uno', wireRate: true });
    const host = new SerialPortStream({ path: port.path, baudRate: 57_600, binding: sim.binding });
    cleanup.push(() => new Promise<void>((resolve) => (host.isOpen ? host.close(() => resolve()) : resolve())));
    let bytes = 0;
    host.on('data', (chunk: Buffer) => (bytes += chunk.length));
    await nextEvent(host, 'open');
    await vi.advanceTimersByTimeAsync(50);
    // Report all six analog channels every millisecond: 18,000 bytes/s asked, the wire carries less.
    host.write(Buffer.from([0xf0, 0x7a, 1, 0, 0xf7, 0xc0, 1, 0xc1, 1, 0xc2, 1, 0xc3, 1, 0xc4, 1, 0xc5, 1]));
    await vi.advanceTimersByTimeAsync(100);
    const start = bytes;
    await vi.advanceTimersByTimeAsync(1000);
    const perSecond = bytes - start;
    expect(perSecond).toBeLessThanOrEqual(5760 * 1.05);
    expect(perSecond).toBeGreaterThan(5760 * 0.9);
  });
});
