import { afterEach, describe, expect, it } from 'vitest';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedGpio } from '@stemlab/simulators';
import { SimavrBoard, type SimavrPinEvent } from '../../simulators/src/simavr/bridge.ts';
import { assertAvailable, shouldRun } from '../../testing/requirements.ts';
import { Agent } from '../src/agent.ts';
import { parseConfig } from '../src/config/load.ts';
import type { AgentEvents } from '../src/core/events.ts';
import { createLogger } from '../src/core/log.ts';
import { nativeBinding } from '../src/kits/serial.ts';

// The agent on the REAL StandardFirmata 2.4 (the Uno hex of avrgirl-arduino@5.0.1) running on
// simavr, through serialport's native binding on the bridge's pseudo-terminal, found by a path
// that is a symlink to it. Stopping the bridge is a real unplug (the pty vanishes); starting it
// again at the same link is a re-plug of a freshly reset chip. The emulator-based tests
// (agent-safety.test.ts) are judged against these.
//
// What the bridge can and cannot see (simulators/simavr/README.md):
// - `pin` events are PORT & DDR levels; `pwm` events are writes of a NEW value to a PWM pin's
//   compare register. The Arduino core's analogWrite(pin, 0) is a digitalWrite(LOW) that only
//   clears the timer's COM bits: the compare register keeps its old value and PORT was already
//   low, so a motor stop makes no bridge event at all. Whether a motor really stopped is asked
//   of the firmware itself (PIN_STATE_QUERY: the value its analogWrite callback last applied),
//   over the kit's own live Firmata link.
// - Servo pulses show as pin 9 toggling (~50 Hz), but the events carry no simulated time, so
//   the pulse width (the angle) cannot be measured from them. The firmware's pin state for a
//   servo is what its Servo library was given: Johnny-Five, with the pwmRange the agent sets,
//   sends the pulse width in µs (60° → 1162 µs), which Servo.write() takes as microseconds.

const simavr = SimavrBoard.available();
const run = shouldRun('the agent on the real StandardFirmata firmware (simavr)', simavr);

const KIT = 'robot';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
  return Date.now() - t0;
}

interface BridgeEvent extends SimavrPinEvent {
  kind: 'pin' | 'pwm';
  at: number;
}

interface Rig {
  agent: Agent;
  sim: SimavrBoard;
  gpio: SimulatedGpio;
  link: string;
  /** every bridge event, timestamped, across restarts */
  bridge: BridgeEvent[];
  events: Array<{ name: keyof AgentEvents; payload: AgentEvents[keyof AgentEvents]; at: number }>;
  /** ms from the bridge's pty existing to the first agent's kit being connected */
  connectMs: number;
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A bridge at a per-test link, and an agent with one kit found by that path. */
async function rig(): Promise<Rig> {
  assertAvailable('simavr', simavr);
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-simavr-agent-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const link = join(dir, 'ttyUNO');
  const sim = new SimavrBoard({ board: 'uno', link });
  const bridge: BridgeEvent[] = [];
  sim.on('pin', (e: SimavrPinEvent) => bridge.push({ kind: 'pin', ...e, at: Date.now() }));
  sim.on('pwm', (e: SimavrPinEvent) => bridge.push({ kind: 'pwm', ...e, at: Date.now() }));
  cleanup.push(() => sim.stop());
  await sim.start();
  const plugged = Date.now();
  expect(existsSync(link)).toBe(true);
  const gpio = new SimulatedGpio();
  cleanup.push(() => gpio.close());
  const r = { sim, link, bridge, gpio } as Rig;
  await startAgent(r);
  r.connectMs = Date.now() - plugged;
  return r;
}

/** A new agent on the rig's link (its events start afresh); resolves once the kit is connected. */
async function startAgent(r: Rig): Promise<void> {
  const config = parseConfig({
    unit: 'thcs-test-01',
    gateway: 'gw-simavr',
    room: 'robot-club',
    safety: { watchdogMs: 400 },
    connection: { retryMinMs: 100, retryMaxMs: 500, heartbeatMs: 500 },
    kits: [
      {
        id: KIT,
        board: 'uno',
        find: { path: r.link },
        firmware: 'StandardFirmata',
        components: [
          { type: 'motor', id: 'left', pins: { pwm: 5, dir: 4 } },
          { type: 'led', id: 'led', pin: 13 },
          { type: 'servo', id: 'head', pin: 9 },
          { type: 'analog-sensor', id: 'light', pin: 'A0', freq: 25 },
        ],
      },
    ],
  });
  const agent = new Agent(config, { serial: await nativeBinding(), gpio: r.gpio }, { log: createLogger('silent') });
  const events: Rig['events'] = [];
  for (const name of ['kit:state', 'component:reading', 'safety:stop', 'estop'] as const) {
    agent.bus.on(name, (payload) => events.push({ name, payload, at: Date.now() }));
  }
  cleanup.push(() => agent.stop());
  r.agent = agent;
  r.events = events;
  await agent.start();
  await agent.waitForKits('connected', 15_000);
}

/** The kit's states in order, from its `kit:state` events. */
function states(r: Rig): Array<{ state: string; reason?: string; at: number }> {
  return r.events
    .filter((e) => e.name === 'kit:state')
    .map((e) => {
      const p = e.payload as AgentEvents['kit:state'];
      return { state: p.state, reason: p.reason, at: e.at };
    });
}

/** The heartbeat (REPORT_VERSION every 500 ms, two misses = stalled) must never fire on a live firmware. */
function expectNoFalseStalls(r: Rig): void {
  expect(states(r).filter((s) => s.state === 'fault')).toEqual([]);
}

function safetyStops(r: Rig, reason: AgentEvents['safety:stop']['reason']) {
  return r.events.filter((e) => e.name === 'safety:stop' && (e.payload as AgentEvents['safety:stop']).reason === reason);
}

/** Wait for a bridge event matching, that happened at or after `since`. */
async function bridgeEvent(r: Rig, kind: 'pin' | 'pwm', pin: number, value: number, since: number, timeoutMs = 3000): Promise<BridgeEvent> {
  let found: BridgeEvent | undefined;
  await until(
    () => (found = r.bridge.find((e) => e.kind === kind && e.pin === pin && e.value === value && e.at >= since)) !== undefined,
    timeoutMs,
    `bridge \`${kind} ${pin} ${value}\``,
  );
  return found!;
}

interface LiveFirmata {
  pins: Array<{ state?: number; mode?: number }>;
  queryPinState(pin: number, callback: () => void): void;
  reportVersion(callback: () => void): void;
}

/** The kit's live Firmata link (firmata-io), reached through a device's hardware. */
function liveIo(r: Rig): LiveFirmata {
  const device = r.agent.kit(KIT).devices.get('led');
  const io = (device as unknown as { hardware?: { io: LiveFirmata } } | undefined)?.hardware?.io;
  if (!io) throw new Error(`kit '${KIT}' has no live board to ask`);
  return io;
}

/**
 * Ask the firmware (PIN_STATE_QUERY over the kit's own live link) what it last applied to a pin:
 * for a PWM pin the analogWrite value, for a servo what its Servo library was given. The only
 * way to see a PWM pin stop on this bridge (see the top of the file).
 */
function firmwarePinState(r: Rig, pin: number): Promise<number> {
  const io = liveIo(r);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no PIN_STATE_RESPONSE for pin ${pin} within 1000 ms`)), 1000);
    io.queryPinState(pin, () => {
      clearTimeout(timer);
      resolve(io.pins[pin]?.state ?? NaN);
    });
  });
}

async function untilFirmware(r: Rig, pin: number, value: number, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if ((await firmwarePinState(r, pin)) === value) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new Error(`the firmware's pin ${pin} did not become ${value} within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/**
 * PIN_STATE_QUERY on the pty while no agent holds it: the pin's mode and state. Opened with plain
 * open(2), not serialport: serialport's open does tcflush(TCIOFLUSH), which on a pty also throws
 * away what the last holder wrote and simavr's uart_pty thread has not read yet (tcdrain on a pty
 * returns before that), and with it the stop the agent sent as it closed the port.
 */
async function rawPinState(path: string, pin: number): Promise<{ mode: number; state: number }> {
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  try {
    writeSync(fd, Buffer.from([0xf0, 0x6d, pin, 0xf7]));
    const rx: number[] = [];
    const chunk = Buffer.alloc(256);
    // The reply, among whatever analog reports the firmware still streams: F0 6E pin mode state… F7.
    const at = (): number => rx.findIndex((b, i) => b === 0xf0 && rx[i + 1] === 0x6e && rx[i + 2] === pin && rx.indexOf(0xf7, i) > i + 3);
    await until(
      () => {
        try {
          rx.push(...chunk.subarray(0, readSync(fd, chunk)));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        }
        return at() >= 0;
      },
      1000,
      `PIN_STATE_RESPONSE for pin ${pin}`,
    );
    const i = at();
    const state = rx.slice(i + 4, rx.indexOf(0xf7, i)).reduce((sum, b, k) => sum | (b << (7 * k)), 0);
    return { mode: rx[i + 3]!, state };
  } finally {
    closeSync(fd);
  }
}

/** The pulse width (µs) the agent's servo config (pwmRange 544–2400 µs) gives an angle. */
const servoMicros = (degrees: number): number => Math.round(544 + (degrees / 180) * (2400 - 544));

async function untilServo(r: Rig, pin: number, degrees: number, timeoutMs: number): Promise<void> {
  const want = servoMicros(degrees);
  let last: number;
  const t0 = Date.now();
  while (Math.abs((last = await firmwarePinState(r, pin)) - want) > 1) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`the firmware's servo on pin ${pin} is at ${last} µs, not ${want} µs (${degrees}°)`);
    await sleep(10);
  }
}

/** Round trips of REPORT_VERSION (what the heartbeat asks) on the live link, in ms. */
async function versionRoundTrips(r: Rig, count: number): Promise<number[]> {
  const io = liveIo(r);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => io.reportVersion(() => resolve()));
    times.push(Math.round((performance.now() - t0) * 10) / 10);
    await sleep(20);
  }
  return times;
}

/** Rising edges of pin 9 (servo pulses) seen by the bridge over `ms`. */
async function servoPulses(r: Rig, ms: number): Promise<number> {
  const since = Date.now();
  await sleep(ms);
  return r.bridge.filter((e) => e.kind === 'pin' && e.pin === 9 && e.value === 1 && e.at >= since).length;
}

describe.runIf(run)('the agent on the real StandardFirmata 2.4 (simavr, native serial binding)', () => {
  it('commands reach the pins of the real firmware, and a sensor reads its analog input', async () => {
    const r = await rig();
    const { agent, sim } = r;

    let t = Date.now();
    agent.command(KIT, 'led', { action: 'on' });
    const ledOnMs = (await bridgeEvent(r, 'pin', 13, 1, t)).at - t;
    t = Date.now();
    agent.command(KIT, 'led', { action: 'off' });
    await bridgeEvent(r, 'pin', 13, 0, t);

    t = Date.now();
    agent.command(KIT, 'left', { action: 'forward', speed: 150 });
    const pwmMs = (await bridgeEvent(r, 'pwm', 5, 150, t)).at - t;
    // Johnny-Five's Motor sets the direction pin forward (high) when it is built: no new event.
    expect(sim.pins.get(4)).toBe(1);
    expect(sim.pwm.get(5)).toBe(150);
    expect(await firmwarePinState(r, 5)).toBe(150);
    t = Date.now();
    agent.command(KIT, 'left', { action: 'reverse', speed: 100 });
    await bridgeEvent(r, 'pin', 4, 0, t);
    await bridgeEvent(r, 'pwm', 5, 100, t);
    agent.command(KIT, 'left', { action: 'stop' });
    await untilFirmware(r, 5, 0, 1000);

    // The servo: the firmware pulses pin 9 (Servo library, ~50 Hz) and holds the commanded angle.
    agent.command(KIT, 'head', { action: 'to', degrees: 60 });
    await untilServo(r, 9, 60, 1000);
    const pulses = await servoPulses(r, 500);
    expect(pulses).toBeGreaterThanOrEqual(5);

    // A0 at 2.5 V against AVCC 5 V reads ~512 through the firmware's ADC.
    t = Date.now();
    sim.setVoltage(0, 2.5);
    let raw = NaN;
    const off = agent.bus.on('component:reading', (e) => {
      if (e.component === 'light') raw = (e.value as { raw: number }).raw;
    });
    try {
      await until(() => Math.abs(raw - 512) <= 3, 3000, `A0 ~512 at 2.5 V (last reading ${raw})`);
    } finally {
      off();
    }
    const adcMs = Date.now() - t;
    const light = agent.kit(KIT).status().components.find((c) => c.id === 'light')?.value as { raw: number };
    expect(light.raw).toBeGreaterThanOrEqual(509);
    expect(light.raw).toBeLessThanOrEqual(515);

    // The heartbeat's question is answered in a few ms, well within one 500 ms heartbeat.
    const rtts = await versionRoundTrips(r, 5);
    expect(Math.max(...rtts)).toBeLessThan(500);
    const stats = await sim.stats();
    expectNoFalseStalls(r);
    console.info(
      `real firmware: connected ${r.connectMs} ms after the pty appeared; led on → pin 13 in ${ledOnMs} ms; ` +
        `motor → pwm 5 in ${pwmMs} ms; servo pulses ${pulses * 2}/s; A0 2.5 V → ${raw} in ${adcMs} ms; ` +
        `REPORT_VERSION round trips ${rtts.join('/')} ms; real-time factor ${(stats.simMs / stats.wallMs).toFixed(2)}`,
    );
  }, 30_000);

  it('the dead-man watchdog stops the motor on the real firmware without any further command', async () => {
    const r = await rig();
    const { agent } = r;
    // Commands every 100 ms keep the motor going past the 300 ms window...
    let last = 0;
    const t0 = Date.now();
    while (Date.now() - t0 < 800) {
      agent.command(KIT, 'left', { action: 'forward', speed: 150 });
      last = Date.now();
      await sleep(100);
      if (Date.now() - t0 > 150) expect(r.sim.pwm.get(5)).toBe(150);
    }
    expect(await firmwarePinState(r, 5)).toBe(150);
    expect(safetyStops(r, 'watchdog')).toEqual([]);

    // ...and silence stops it: the agent's watchdog fires and the firmware's pin 5 goes to 0.
    await until(() => safetyStops(r, 'watchdog').length > 0, 2000, 'the watchdog');
    const firedMs = safetyStops(r, 'watchdog')[0]!.at - last;
    await untilFirmware(r, 5, 0, 1000);
    const stoppedMs = Date.now() - last;
    expect(firedMs).toBeGreaterThanOrEqual(290);
    expect(firedMs).toBeLessThan(600);
    expect(agent.kit(KIT).status().components.find((c) => c.id === 'left')?.value).toEqual({ direction: 'forward', speed: 0 });
    // It stays stopped.
    await sleep(300);
    expect(await firmwarePinState(r, 5)).toBe(0);
    expectNoFalseStalls(r);
    console.info(`real firmware: watchdog (300 ms) fired ${firedMs} ms after the last command; firmware pin 5 = 0 confirmed ${stoppedMs} ms after it`);
  }, 30_000);

  it('the emergency stop stops the motor on the real firmware and latches until reset', async () => {
    const r = await rig();
    const { agent } = r;
    agent.command(KIT, 'led', { action: 'on' });
    let t = Date.now();
    agent.command(KIT, 'left', { action: 'forward', speed: 150 });
    await bridgeEvent(r, 'pwm', 5, 150, t);

    t = Date.now();
    agent.estop.trigger('teacher tool');
    const stopMs = await untilFirmware(r, 5, 0, 1000);
    expect(safetyStops(r, 'estop')).toHaveLength(1);
    expect(agent.status().estop).toEqual({ latched: true, source: 'teacher tool' });
    expect(() => agent.command(KIT, 'left', { action: 'forward', speed: 50 })).toThrow(expect.objectContaining({ code: 'ESTOP_LATCHED' }));
    // Indicators still work while latched.
    t = Date.now();
    agent.command(KIT, 'led', { action: 'off' });
    await bridgeEvent(r, 'pin', 13, 0, t);
    // Latched means latched: longer than the watchdog window later, still stopped.
    await sleep(400);
    expect(await firmwarePinState(r, 5)).toBe(0);
    expect(agent.estop.latched).toBe(true);

    agent.estop.reset('teacher');
    t = Date.now();
    agent.command(KIT, 'left', { action: 'forward', speed: 50 });
    await bridgeEvent(r, 'pwm', 5, 50, t);
    expectNoFalseStalls(r);
    console.info(`real firmware: e-stop → firmware pin 5 = 0 confirmed within ${stopMs} ms`);
  }, 30_000);

  it('unplugged mid-motion (the pty vanishes) it stops and is reported; re-plugged, it comes back with the LED and servo restored and the motor stopped', async () => {
    const r = await rig();
    const { agent, sim, link } = r;
    agent.command(KIT, 'led', { action: 'on' });
    agent.command(KIT, 'head', { action: 'to', degrees: 60 });
    let t = Date.now();
    agent.command(KIT, 'left', { action: 'forward', speed: 150 });
    await bridgeEvent(r, 'pwm', 5, 150, t);
    await bridgeEvent(r, 'pin', 13, 1, t);
    await untilServo(r, 9, 60, 1000);

    // Keep it moving (the watchdog is 300 ms) right up to the unplug.
    const keepAlive = setInterval(() => {
      try {
        agent.command(KIT, 'left', { action: 'forward', speed: 150 });
      } catch {
        clearInterval(keepAlive);
      }
    }, 100);
    cleanup.push(() => clearInterval(keepAlive));
    await sleep(250);

    const unplugged = Date.now();
    await sim.stop();
    expect(existsSync(link)).toBe(false);
    await agent.waitForKits('disconnected', 3000);
    const detectMs = Date.now() - unplugged;
    clearInterval(keepAlive);
    const lost = states(r).find((s) => s.state === 'disconnected' && s.at >= unplugged)!;
    expect(lost.reason).toMatch(/unplugged|port closed/);
    expect(safetyStops(r, 'disconnect')).toHaveLength(1);
    expect(safetyStops(r, 'watchdog')).toEqual([]);
    expect(() => agent.command(KIT, 'left', { action: 'forward', speed: 100 })).toThrow(expect.objectContaining({ code: 'KIT_NOT_CONNECTED' }));
    expect(agent.kit(KIT).status().components.find((c) => c.id === 'left')?.value).toEqual({ direction: 'forward', speed: 0 });

    // Unplugged for a while: the agent keeps retrying the missing path (the reason says its last try).
    await expect.poll(() => agent.kit(KIT).status().reason).toMatch(/could not open|no Firmata|closed/);
    expect(agent.kit(KIT).status().state).not.toBe('connected');

    // Re-plug: a new bridge (a freshly reset chip, a new pty) behind the same link.
    await sim.start();
    const replugged = Date.now();
    expect(existsSync(link)).toBe(true);
    await agent.waitForKits('connected', 15_000);
    const reconnectMs = Date.now() - replugged;
    const connectedAt = states(r).findLast((s) => s.state === 'connected')!.at;
    // Restored: the LED (a pin 13 high written by the agent, not the firmware's boot blink)...
    await bridgeEvent(r, 'pin', 13, 1, connectedAt);
    await until(() => sim.pins.get(13) === 1, 1000, 'pin 13 to stay high');
    // ...and the servo's angle; the motor stays stopped.
    await untilServo(r, 9, 60, 1000);
    expect(await firmwarePinState(r, 5)).toBe(0);
    expect(sim.pwm.get(5)).toBeUndefined();
    expect(agent.kit(KIT).status().components.find((c) => c.id === 'left')?.value).toEqual({ direction: 'forward', speed: 0 });
    await sleep(300);
    expect(sim.pwm.get(5)).toBeUndefined();

    // A lesson can drive it again.
    t = Date.now();
    agent.command(KIT, 'left', { action: 'forward', speed: 120 });
    await bridgeEvent(r, 'pwm', 5, 120, t);

    const after = states(r).filter((s) => s.at >= unplugged).map((s) => s.state);
    expect(after[0]).toBe('disconnected');
    expect(after.at(-1)).toBe('connected');
    expect(after).not.toContain('fault');
    expectNoFalseStalls(r);
    console.info(
      `real firmware: unplug detected in ${detectMs} ms (${lost.reason}); reconnected ${reconnectMs} ms after the re-plug; ` +
        `states after the unplug: ${after.join(' → ')}`,
    );
  }, 30_000);

  it('an agent restarted while the board stays plugged in takes it over, though a pty resets nothing', async () => {
    // A real Uno resets when its port opens (DTR) and announces itself ~2 s later. A pty has no
    // DTR: the firmware runs on with what the last agent left, and says nothing on its own, so
    // firmata-io asks for the version itself after its reportVersionTimeout (3 s here).
    const r = await rig();
    r.agent.command(KIT, 'led', { action: 'on' });
    let t = Date.now();
    r.agent.command(KIT, 'left', { action: 'forward', speed: 150 });
    await bridgeEvent(r, 'pwm', 5, 150, t);
    await bridgeEvent(r, 'pin', 13, 1, t);
    await r.agent.stop();
    expect(r.sim.running).toBe(true);
    // The agent's stop ended with SYSTEM_RESET, which reached the firmware before the port
    // closed: pin 5 is back to its power-on state (OUTPUT, low), and so is the LED.
    expect(await rawPinState(r.link, 5)).toEqual({ mode: 1, state: 0 });
    expect(r.sim.pins.get(13)).toBe(0);

    t = Date.now();
    await startAgent(r);
    const takeoverMs = Date.now() - t;
    // The new agent's motor is stopped and it says so to the board.
    expect(await firmwarePinState(r, 5)).toBe(0);
    r.agent.command(KIT, 'left', { action: 'forward', speed: 90 });
    await bridgeEvent(r, 'pwm', 5, 90, t);
    expectNoFalseStalls(r);
    console.info(`real firmware: a restarted agent took the still-running board over in ${takeoverMs} ms (first connect: ${r.connectMs} ms)`);
  }, 30_000);
});

if (!run) {
  describe('the agent on the real StandardFirmata 2.4 (simavr)', () => {
    it.skip(`needs simavr: ${simavr.reason ?? 'unavailable'}`, () => {});
  });
}
