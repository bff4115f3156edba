import { afterEach, describe, expect, it } from 'vitest';
import { PinMode } from '@stemlab/protocol';
import type { SimulatedBoard, PinState } from '@stemlab/simulators';
import { robotKit, simAgent, type SimAgent } from './helpers/sim-agent.ts';

// Every component type driven through the agent, on a simulated Uno: the command goes through
// the agent's validation and limits, Johnny-Five, firmata-io and serialport to the board's pins.

let running: SimAgent | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function robot(): Promise<SimAgent & { board: SimulatedBoard }> {
  running = await simAgent({ kits: [robotKit('robot-1')] });
  return { ...running, board: running.sim.board('robot-1') };
}

const pin = (board: SimulatedBoard, n: number, test: (s: PinState) => boolean) => board.waitForPin(n, test);

function reading(sa: SimAgent, component: string, test: (value: unknown) => boolean, timeoutMs = 3000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching reading from ${component}`));
    }, timeoutMs);
    const off = sa.agent.bus.on('component:reading', (r) => {
      if (r.component !== component || !test(r.value)) return;
      clearTimeout(timer);
      off();
      resolve(r.value);
    });
  });
}

describe('actuators through the agent', () => {
  it('LED: on, off, brightness on a PWM pin, blink', async () => {
    const { agent, board } = await robot();
    agent.command('robot-1', 'led', { action: 'on' });
    await pin(board, 13, (s) => s.value === 1);
    agent.command('robot-1', 'led', { action: 'off' });
    await pin(board, 13, (s) => s.value === 0);
    agent.command('robot-1', 'lamp', { action: 'brightness', value: 80 });
    await pin(board, 11, (s) => s.mode === PinMode.PWM && s.value === 80);
    let toggles = 0;
    board.on('pin', (s) => s.pin === 13 && toggles++);
    agent.command('robot-1', 'led', { action: 'blink', ms: 20 });
    await pin(board, 13, () => toggles >= 4);
  });

  it('motor: forward and reverse within maxMotorSpeed, stop', async () => {
    const { agent, board } = await robot();
    expect(agent.command('robot-1', 'left', { action: 'forward', speed: 150 })).toEqual({ direction: 'forward', speed: 150 });
    await pin(board, 5, (s) => s.value === 150);
    expect(board.pinState(4).value).toBe(1);
    // The kit's limit is 200: no command goes faster.
    expect(agent.command('robot-1', 'left', { action: 'reverse', speed: 255 })).toEqual({ direction: 'reverse', speed: 200, clampedFrom: 255 });
    await pin(board, 5, (s) => s.value === 200);
    expect(board.pinState(4).value).toBe(0);
    agent.command('robot-1', 'left', { action: 'stop' });
    await pin(board, 5, (s) => s.value === 0);
  });

  it('servo: to an angle, clamped to the kit limit, center', async () => {
    const { agent, board } = await robot();
    agent.command('robot-1', 'head', { action: 'to', degrees: 45 });
    await pin(board, 9, () => board.servoAngle(9) === 45);
    expect(agent.command('robot-1', 'head', { action: 'to', degrees: 180 })).toEqual({ angle: 170, clampedFrom: 180 });
    await pin(board, 9, () => board.servoAngle(9) === 170);
    agent.command('robot-1', 'head', { action: 'center' });
    await pin(board, 9, () => board.servoAngle(9) === 90);
  });

  it('piezo: a tone toggles its pin, off silences it', async () => {
    const { agent, board } = await robot();
    let toggles = 0;
    board.on('pin', (s) => s.pin === 3 && toggles++);
    agent.command('robot-1', 'buzzer', { action: 'tone', frequency: 440, ms: 200 });
    await pin(board, 3, () => toggles >= 10);
    agent.command('robot-1', 'buzzer', { action: 'off' });
    await pin(board, 3, (s) => s.value === 0);
  });

  it('relay: on powers the load, off cuts it', async () => {
    const { agent, board } = await robot();
    agent.command('robot-1', 'pump', { action: 'on' });
    await pin(board, 12, (s) => s.value === 1);
    agent.command('robot-1', 'pump', { action: 'toggle' });
    await pin(board, 12, (s) => s.value === 0);
  });

  it('refuses unknown components and malformed commands with a stable code', async () => {
    const { agent } = await robot();
    expect(() => agent.command('robot-1', 'wheel', { action: 'stop' })).toThrow(expect.objectContaining({ code: 'COMPONENT_UNKNOWN' }));
    expect(() => agent.command('robot-9', 'left', { action: 'stop' })).toThrow(expect.objectContaining({ code: 'KIT_UNKNOWN' }));
    expect(() => agent.command('robot-1', 'left', { action: 'fly' })).toThrow(expect.objectContaining({ code: 'COMMAND_INVALID' }));
    expect(() => agent.command('robot-1', 'left', { action: 'forward', speed: -3 })).toThrow(/speed/);
    expect(() => agent.command('robot-1', 'led', null)).toThrow(expect.objectContaining({ code: 'COMMAND_INVALID' }));
  });
});

describe('sensors through the agent', () => {
  it('button: press, hold and release are readings', async () => {
    const sa = await robot();
    const pressed = reading(sa, 'start', (v) => (v as { pressed: boolean }).pressed);
    await pin(sa.board, 2, () => sa.board.readDigital(2) === 1);
    sa.board.press(2);
    await pressed;
    await reading(sa, 'start', (v) => (v as { held: boolean }).held);
    const released = reading(sa, 'start', (v) => !(v as { pressed: boolean }).pressed);
    sa.board.release(2);
    await released;
    expect(sa.agent.command('robot-1', 'start', { action: 'read' })).toEqual({ value: { pressed: false, held: false } });
  });

  it('analog sensor: scaled readings on change', async () => {
    const sa = await robot();
    sa.board.setVoltage('A3', 2.5);
    expect(await reading(sa, 'light', (v) => (v as { raw: number }).raw === 512)).toEqual({ raw: 512, value: 50.049 });
  });

  it('thermometer: an LM35 at 0.25 V reads 25 °C', async () => {
    const sa = await robot();
    sa.board.setVoltage('A4', 0.25);
    const value = (await reading(sa, 'temp', (v) => (v as { celsius: number }).celsius > 20)) as { celsius: number };
    expect(value.celsius).toBeCloseTo(25, 0);
  });

  it('ultrasonic distance over PING_READ', async () => {
    const sa = await robot();
    sa.board.setEchoDistance(8, 42);
    expect(await reading(sa, 'sonar', (v) => (v as { cm: number | null }).cm === 42)).toEqual({ cm: 42 });
  });

  it('line sensors: one value per sensor, left to right', async () => {
    const sa = await robot();
    sa.board.setAnalog(0, 900);
    sa.board.setAnalog(2, 100);
    await reading(sa, 'line', (v) => JSON.stringify(v) === JSON.stringify([900, 0, 100]));
  });
});
