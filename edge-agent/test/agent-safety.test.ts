import { afterEach, describe, expect, it } from 'vitest';
import type { PinState, SimulatedBoard } from '@stemlab/simulators';
import { robotKit, simAgent, type SimAgent } from './helpers/sim-agent.ts';

// Students are near moving robots: every way an actuator must stop, and every way a kit can
// fail without taking the gateway down.

let running: SimAgent | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const pin = (board: SimulatedBoard, n: number, test: (s: PinState) => boolean) => board.waitForPin(n, test);

const twoRobots = () => simAgent({ kits: [robotKit('robot-1'), robotKit('robot-2')], safety: { watchdogMs: 400 } });

describe('hot-plug', () => {
  it('a kit unplugged mid-motion stops, is reported, comes back restored while the other kit keeps running', async () => {
    running = await twoRobots();
    const { agent, sim, events } = running;
    const one = sim.port('robot-1');
    const two = sim.board('robot-2');
    agent.command('robot-1', 'led', { action: 'on' });
    agent.command('robot-1', 'head', { action: 'to', degrees: 60 });
    agent.command('robot-1', 'left', { action: 'forward', speed: 180 });
    await pin(one.board, 5, (s) => s.value === 180);

    one.unplug();
    await agent.waitForKits('disconnected', 2000, ['robot-1']);
    expect(events.some((e) => e.name === 'safety:stop' && (e.payload as { reason: string }).reason === 'disconnect')).toBe(true);
    expect(agent.kit('robot-1').status().reason).toBe('unplugged');
    expect(() => agent.command('robot-1', 'left', { action: 'forward', speed: 100 })).toThrow(expect.objectContaining({ code: 'KIT_NOT_CONNECTED' }));

    // The other kit carries on.
    agent.command('robot-2', 'right', { action: 'forward', speed: 120 });
    await pin(two, 6, (s) => s.value === 120);

    one.plug();
    await agent.waitForKits('connected', 5000, ['robot-1']);
    // Restored: the LED and the servo as they were; the motor stays stopped.
    await pin(one.board, 13, (s) => s.value === 1);
    await pin(one.board, 9, () => one.board.servoAngle(9) === 60);
    expect(one.board.pinState(5).value).toBe(0);
    expect(agent.kit('robot-1').status().components.find((c) => c.id === 'left')?.value).toEqual({ direction: 'forward', speed: 0 });
    const states = events.filter((e) => e.name === 'kit:state' && (e.payload as { kit: string }).kit === 'robot-1').map((e) => (e.payload as { state: string }).state);
    expect(states).toEqual(['connecting', 'connected', 'disconnected', 'connected']);
  });

  it('a kit that is not plugged in at start is retried until it appears', async () => {
    running = await simAgent({ kits: [robotKit('robot-1'), robotKit('robot-2')] }, { waitForKits: false, beforeStart: (sim) => sim.port('robot-2').unplug() });
    await running.agent.waitForKits('connected', 5000, ['robot-1']);
    await running.agent.waitForKits('disconnected', 5000, ['robot-2']);
    expect(running.agent.kit('robot-2').status().reason).toMatch(/no board matches simulated board 'robot-2'.*stemlab agent doctor/);
    running.sim.port('robot-2').plug();
    await running.agent.waitForKits('connected', 5000, ['robot-2']);
  });
});

describe('bad bytes and hung boards', () => {
  it('garbage on the line does not crash the agent or stop the kit', async () => {
    running = await twoRobots();
    const board = running.sim.board('robot-1');
    for (let i = 0; i < 50; i++) board.sendGarbage();
    running.agent.command('robot-1', 'led', { action: 'on' });
    await pin(board, 13, (s) => s.value === 1);
    board.setEchoDistance(8, 30);
    await new Promise<void>((resolve) => {
      const off = running!.agent.bus.on('component:reading', (r) => {
        if (r.component === 'sonar' && (r.value as { cm: number }).cm === 30) {
          off();
          resolve();
        }
      });
    });
    expect(running.agent.kit('robot-1').connected).toBe(true);
  });

  it('a stalled board is detected, marked faulty, reset and brought back', async () => {
    running = await twoRobots();
    const { agent, sim } = running;
    agent.command('robot-1', 'led', { action: 'on' });
    await pin(sim.board('robot-1'), 13, (s) => s.value === 1);
    sim.board('robot-1').stall();
    await agent.waitForKits('fault', 3000, ['robot-1']);
    expect(agent.kit('robot-1').status().reason).toMatch(/stopped answering/);
    await agent.waitForKits('connected', 5000, ['robot-1']);
    await pin(sim.board('robot-1'), 13, (s) => s.value === 1);
    expect(agent.kit('robot-2').connected).toBe(true);
  });
});

describe('the dead-man watchdog', () => {
  it('stops a motor when no fresh command arrives within the window', async () => {
    running = await twoRobots();
    const { agent, sim, events } = running;
    const board = sim.board('robot-1');
    // Commands every 100 ms keep it going past the 300 ms window...
    const started = Date.now();
    while (Date.now() - started < 700) {
      agent.command('robot-1', 'left', { action: 'forward', speed: 100 });
      agent.command('robot-1', 'right', { action: 'forward', speed: 100 });
      await new Promise((r) => setTimeout(r, 100));
      expect(board.pinState(5).value).toBe(100);
    }
    // ...and silence stops both motors.
    const stoppedAt = Date.now();
    await pin(board, 5, (s) => s.value === 0);
    await pin(board, 6, (s) => s.value === 0);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(180); // the 300 ms window, less the loop's last sleep and timer jitter
    expect(events.some((e) => e.name === 'safety:stop' && (e.payload as { reason: string }).reason === 'watchdog')).toBe(true);
  });
});

describe('the emergency stop', () => {
  async function driveBoth(sa: SimAgent) {
    for (const kit of ['robot-1', 'robot-2']) {
      sa.agent.command(kit, 'left', { action: 'forward', speed: 150 });
      sa.agent.command(kit, 'right', { action: 'reverse', speed: 150 });
      sa.agent.command(kit, 'pump', { action: 'on' });
    }
    await Promise.all(['robot-1', 'robot-2'].map((kit) => pin(sa.sim.board(kit), 6, (s) => s.value === 150)));
  }

  async function allStopped(sa: SimAgent) {
    for (const kit of ['robot-1', 'robot-2']) {
      const board = sa.sim.board(kit);
      await pin(board, 5, (s) => s.value === 0);
      await pin(board, 6, (s) => s.value === 0);
      await pin(board, 12, (s) => s.value === 0);
    }
  }

  it('latches first and stops every other device and kit when one stop throws (a Johnny-Five call on a vanished board)', async () => {
    running = await twoRobots();
    const { agent } = running;
    await driveBoth(running);
    const kits = (agent as unknown as { kits: Map<string, { devices: ReadonlyMap<string, { safeStop(): void }> }> }).kits;
    const broken = kits.get('robot-1')!.devices.get('left')!;
    broken.safeStop = () => {
      throw new Error('board gone');
    };
    expect(() => agent.estop.trigger('teacher tool')).not.toThrow();
    expect(agent.estop.latched).toBe(true);
    // robot-1's other actuators and all of robot-2 stopped; the broken motor took no new command.
    await pin(running.sim.board('robot-1'), 6, (s) => s.value === 0);
    for (const p of [5, 6, 12]) await pin(running.sim.board('robot-2'), p, (s) => s.value === 0);
    expect(() => agent.command('robot-2', 'left', { action: 'forward', speed: 50 })).toThrow(expect.objectContaining({ code: 'ESTOP_LATCHED' }));
  });

  it('a command stops every actuator of the gateway and latches until a teacher resets it', async () => {
    running = await twoRobots();
    const { agent } = running;
    await driveBoth(running);
    agent.estop.trigger('teacher tool');
    await allStopped(running);
    expect(() => agent.command('robot-1', 'left', { action: 'forward', speed: 50 })).toThrow(expect.objectContaining({ code: 'ESTOP_LATCHED' }));
    // Indicators still work, and sensors still read.
    agent.command('robot-1', 'led', { action: 'on' });
    expect(agent.status().estop).toEqual({ latched: true, source: 'teacher tool' });
    agent.estop.reset('teacher');
    agent.command('robot-1', 'left', { action: 'forward', speed: 50 });
    await pin(running.sim.board('robot-1'), 5, (s) => s.value === 50);
  });

  it("the Pi's e-stop button does the same", async () => {
    running = await simAgent({ kits: [robotKit('robot-1'), robotKit('robot-2')], gpio: { estop: { bcm: 17, debounceMs: 5 }, leds: [{ id: 'status', bcm: 27 }] } });
    expect(running.gpio.level(27)).toBe(1); // every kit connected
    await driveBoth(running);
    running.gpio.press(17);
    await allStopped(running);
    expect(running.agent.estop.latched).toBe(true);
    expect(running.agent.estop.source).toMatch(/GPIO17/);
    running.gpio.release(17);
    expect(running.agent.estop.latched).toBe(true);
  });
});

describe('stopping the agent', () => {
  it('stops every actuator, closes every port and leaves no timer behind', async () => {
    const before = new Set(process.getActiveResourcesInfo().map((r, i) => `${r}#${i}`)).size;
    const sa = await twoRobots();
    await driveBoth(sa);
    sa.agent.command('robot-1', 'head', { action: 'to', degrees: 30 });
    await sa.agent.stop();
    for (const kit of ['robot-1', 'robot-2']) {
      expect(sa.sim.board(kit).pinState(5).value).toBe(0);
      expect(sa.sim.board(kit).pinState(12).value).toBe(0);
      expect(sa.sim.port(kit).isOpen).toBe(false);
    }
    expect(sa.agent.bus.listenerCount()).toBe(5); // only the test's own recorders
    sa.sim.close();
    sa.gpio.close();
    await new Promise((r) => setTimeout(r, 50));
    const after = process.getActiveResourcesInfo().length;
    expect(after).toBeLessThanOrEqual(before + 1);
  });

  async function driveBoth(sa: SimAgent) {
    for (const kit of ['robot-1', 'robot-2']) {
      sa.agent.command(kit, 'left', { action: 'forward', speed: 150 });
      sa.agent.command(kit, 'pump', { action: 'on' });
    }
    await pin(sa.sim.board('robot-2'), 5, (s) => s.value === 150);
  }

  it('two agents in one process do not see each other', async () => {
    const a = await simAgent({ kits: [robotKit('robot-1')] });
    const b = await simAgent({ kits: [robotKit('robot-1')], gateway: 'gw-2' });
    try {
      a.agent.command('robot-1', 'led', { action: 'on' });
      await pin(a.sim.board('robot-1'), 13, (s) => s.value === 1);
      expect(b.sim.board('robot-1').pinState(13).value).toBe(0);
      a.agent.estop.trigger('test');
      expect(b.agent.estop.latched).toBe(false);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
