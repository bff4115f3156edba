import { afterEach, describe, expect, it } from 'vitest';
import type { BoardSimulator, PinState, SimulatedBoard } from '@stemlab/simulators';
import { selftest, formatSelftestReport, type SelftestReport } from '../src/tools/selftest.ts';
import { robotKit, simAgent, type SimAgent } from './helpers/sim-agent.ts';

// `stemlab agent selftest` is run by a technician at the start and end of a session: it must pass
// a healthy kit, name what is wrong with a broken one, respect the e-stop, and leave every
// actuator as it found it, with every motor stopped.

let running: SimAgent | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** The world around a healthy robot: light on the light sensor, a room at 25 °C, a wall 42 cm ahead. */
function healthyWorld(sim: BoardSimulator, name: string): void {
  const board = sim.board(name);
  board.setVoltage('A3', 2.5);
  board.setVoltage('A4', 0.25);
  board.setEchoDistance(8, 42);
}

const pin = (board: SimulatedBoard, n: number, test: (s: PinState) => boolean) => board.waitForPin(n, test);

/** Every value a pin took, from now on. */
function record(board: SimulatedBoard, n: number): number[] {
  const values: number[] = [];
  board.on('pin', (s) => s.pin === n && values.push(s.value));
  return values;
}

const statusOf = (report: SelftestReport, kit: string, component: string) =>
  report.kits.find((k) => k.kit === kit)?.components.find((c) => c.component === component);

describe('selftest', () => {
  it('passes a healthy robot kit: every sensor reads in range and every actuator takes a command', async () => {
    running = await simAgent({ kits: [robotKit('robot-1')] }, { beforeStart: (sim) => healthyWorld(sim, 'robot-1') });
    const board = running.sim.board('robot-1');
    const left = record(board, 5);
    const relay = record(board, 12);
    const led = record(board, 13);
    const report = await selftest(running.agent, { timeoutMs: 2000, pulseMs: 40 });

    const [kit] = report.kits;
    expect(kit).toMatchObject({ kit: 'robot-1', status: 'pass', detail: 'connected on sim:robot-1' });
    for (const c of kit!.components) expect(c.status, `${c.component}: ${c.detail}`).toBe('pass');
    expect(statusOf(report, 'robot-1', 'left')?.detailVi).toBe('chạy tiến ở 60/255 trong 40 ms, rồi dừng');
    expect(kit!.components.map((c) => c.component)).toEqual(['left', 'right', 'head', 'led', 'lamp', 'start', 'buzzer', 'pump', 'sonar', 'line', 'light', 'temp']);
    expect(statusOf(report, 'robot-1', 'sonar')?.detail).toBe('42 cm');
    expect(statusOf(report, 'robot-1', 'temp')?.detail).toMatch(/^2[45](\.\d)? °C$/);
    expect(statusOf(report, 'robot-1', 'light')?.detail).toBe('raw 512 (50.049)');
    expect(report.counts).toEqual({ pass: 13, warn: 0, fail: 0, skip: 0 });
    expect(report.ok).toBe(true);

    // The actuators really moved on the board (the motor turned slowly, the relay and the LED
    // switched on) and are back as they were: motors stopped, relay and LED off.
    await pin(board, 5, () => left.includes(60) && left.at(-1) === 0);
    await pin(board, 12, () => relay.includes(1) && relay.at(-1) === 0);
    await pin(board, 13, () => led.includes(1) && led.at(-1) === 0);
    expect(board.pinState(6).value).toBe(0);
    const values = new Map(running.agent.kit('robot-1').status().components.map((c) => [c.id, c.value]));
    expect(values.get('left')).toMatchObject({ speed: 0 });
    expect(values.get('right')).toMatchObject({ speed: 0 });
    expect(values.get('pump')).toEqual({ on: false });

    const text = formatSelftestReport(report);
    expect(text.split('\n').at(-1)).toBe('13 passed, 0 warnings, 0 failed');
    expect(text).toMatch(/left\s+motor\s+PASS\s+forward at 60\/255/);
  });

  it('restores what a lesson left on: an LED, a relay and a servo angle', async () => {
    running = await simAgent({ kits: [robotKit('robot-1')] }, { beforeStart: (sim) => healthyWorld(sim, 'robot-1') });
    const { agent } = running;
    const board = running.sim.board('robot-1');
    agent.command('robot-1', 'led', { action: 'on' });
    agent.command('robot-1', 'pump', { action: 'on' });
    agent.command('robot-1', 'head', { action: 'to', degrees: 60 });
    await pin(board, 12, (s) => s.value === 1);
    const pump = record(board, 12);
    const report = await selftest(agent, { timeoutMs: 2000, pulseMs: 40 });
    expect(statusOf(report, 'robot-1', 'pump')).toMatchObject({ status: 'pass', detail: 'switched off for 40 ms, then back on', detailVi: 'chuyển sang tắt trong 40 ms, rồi trở lại bật' });
    expect(statusOf(report, 'robot-1', 'head')).toMatchObject({ status: 'pass', detail: 'held at 60°', detailVi: 'giữ ở 60°' });
    await pin(board, 12, () => pump.includes(0) && pump.at(-1) === 1);
    await pin(board, 13, (s) => s.value === 1);
    expect(board.servoAngle(9)).toBe(60);
  });

  it('fails a kit that is unplugged, names why, and still checks the other kit', async () => {
    running = await simAgent({ kits: [robotKit('robot-1'), robotKit('robot-2')] }, { beforeStart: (sim) => healthyWorld(sim, 'robot-1') });
    running.sim.port('robot-2').unplug();
    await running.agent.waitForKits('disconnected', 2000, ['robot-2']);
    const report = await selftest(running.agent, { timeoutMs: 300, pulseMs: 20 });

    const two = report.kits.find((k) => k.kit === 'robot-2')!;
    expect(two.status).toBe('fail');
    expect(two.detail).toMatch(/^disconnected: (unplugged|no board matches simulated board 'robot-2')/);
    expect(two.components.every((c) => c.status === 'skip' && c.detail === 'kit not connected')).toBe(true);
    expect(report.kits.find((k) => k.kit === 'robot-1')?.status).toBe('pass');
    expect(report.counts).toMatchObject({ fail: 1, skip: 12 });
    expect(report.ok).toBe(false);
    expect(formatSelftestReport(report).split('\n').at(-1)).toBe('13 passed, 0 warnings, 1 failed, 12 skipped');
  });

  it('warns, without failing, when the proximity sensor hears no echo', async () => {
    running = await simAgent({ kits: [robotKit('robot-1')] }, { beforeStart: (sim) => sim.board('robot-1').setVoltage('A3', 2.5) });
    const report = await selftest(running.agent, { timeoutMs: 2000, pulseMs: 20 });
    expect(statusOf(report, 'robot-1', 'sonar')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^no echo/) });
    expect(report.counts.warn).toBe(1);
    expect(report.ok).toBe(true);
    expect(formatSelftestReport(report).split('\n').at(-1)).toBe('12 passed, 1 warning, 0 failed');
  });

  it('fails a sensor that produces no reading, saying which pin to check', async () => {
    // The board hangs the moment the kit connects, before it has taken any sensor's report
    // request; a long heartbeat keeps the kit 'connected' so the sensors themselves are judged.
    running = await simAgent({ kits: [robotKit('robot-1')], connection: { heartbeatMs: 60_000 } }, {
      beforeStart: (sim, agent) => {
        agent.bus.on('kit:state', (e) => e.state === 'connected' && sim.board('robot-1').stall());
      },
    });
    const report = await selftest(running.agent, { timeoutMs: 300, pulseMs: 20 });
    expect(statusOf(report, 'robot-1', 'light')).toMatchObject({ status: 'fail', detail: expect.stringContaining('check the wiring on pin A3'), detailVi: expect.stringContaining('kiểm tra dây nối ở chân A3') });
  });

  it('skips every actuator while the e-stop is latched, and no motor turns', async () => {
    running = await simAgent({ kits: [robotKit('robot-1')] }, { beforeStart: (sim) => healthyWorld(sim, 'robot-1') });
    const board = running.sim.board('robot-1');
    running.agent.estop.trigger('test');
    const left = record(board, 5);
    const right = record(board, 6);
    const report = await selftest(running.agent, { timeoutMs: 2000, pulseMs: 20 });

    for (const id of ['left', 'right', 'head', 'buzzer', 'pump']) {
      expect(statusOf(report, 'robot-1', id)).toMatchObject({ status: 'skip', detail: 'skipped: e-stop latched', detailVi: 'bỏ qua: dừng khẩn cấp đang chốt' });
    }
    // Sensors and the indicator LEDs are still checked.
    expect(statusOf(report, 'robot-1', 'led')?.status).toBe('pass');
    expect(statusOf(report, 'robot-1', 'sonar')?.status).toBe('pass');
    expect(report.estopLatched).toBe(true);
    expect(left.concat(right).filter((v) => v > 0)).toEqual([]);
    expect(formatSelftestReport(report)).toMatch(/e-stop LATCHED/);
  });
});
