import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PinMode } from '@stemlab/protocol';
import { within } from '../../testing/within.ts';
import { collector, helper, kitNode, message, rig, teardown, type Rig } from './helpers/red.ts';

const require = createRequire(import.meta.url);
const { resendMs } = require('../nodes/lib/motion.js') as { resendMs(bridge: { watchdogMs?: number }): number };

// The actuator nodes on a real Node-RED over a real agent on a simulated Uno (robotKit: motors
// left 5/4 and right 6/7, servo 'head' on 9, LED on 13, PWM LED 'lamp' on 11, piezo on 3): a
// message goes through the node, the bridge, the agent's validation, limits and watchdog, and
// Johnny-Five and Firmata to the board's pins.

/**
 * Resolves once the flow's nodes have re-sent their motor commands over `ms` of the agent's time
 * (each command carries when the agent took it): the re-sending that keeps the watchdog fed,
 * observed rather than slept through.
 */
function resentOver(r: Rig, ms: number): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      let first: number | undefined;
      const off = r.sa.agent.bus.on('component:command', (e) => {
        if (e.origin !== 'flow') return;
        first ??= e.at;
        if (e.at - first >= ms) {
          off();
          resolve();
        }
      });
    }),
    `the flow re-sending its motor commands over ${ms} ms`,
  );
}

/**
 * A motor commanded once from outside the flow, then the kit's next safety stop: the watchdog
 * fires only when nothing re-sent a command for a whole dead-man window, so reaching it proves
 * the flow has stopped re-sending (without sleeping to see nothing happen). Returns the flow's
 * commands seen meanwhile.
 */
async function watchdogStops(r: Rig, component: string): Promise<unknown[]> {
  const fromFlow: unknown[] = [];
  const offCommands = r.sa.agent.bus.on('component:command', (e) => e.origin === 'flow' && fromFlow.push(e));
  const stopped = new Promise<void>((resolve) => {
    const off = r.sa.agent.bus.on('safety:stop', () => (off(), resolve()));
  });
  // The test takes the kit from the flow as a teacher would (one driver per kit).
  r.sa.agent.drivers.handOver('robot-1', 'api');
  r.sa.agent.command('robot-1', component, { action: 'forward', speed: 90 });
  await within(stopped, "the watchdog's stop");
  offCommands();
  return fromFlow;
}

beforeAll(() => helper.startServer());
afterEach(() => teardown());
afterAll(() => helper.stopServer());

describe('stemlab-led', () => {
  it('switches pin 13 on, off and toggles it', async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'led', type: 'stemlab-led', kit: 'kit', component: 'led', action: '', wires: [] }]);
    const led = r.node('led');
    led.receive({ payload: true });
    await r.board.waitForPin(13, (s) => s.value === 1);
    led.receive({ payload: 'off' });
    await r.board.waitForPin(13, (s) => s.value === 0);
    led.receive({ payload: 'toggle' });
    await r.board.waitForPin(13, (s) => s.value === 1);
  });

  it('sets the brightness of a PWM LED from a number', async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'lamp', type: 'stemlab-led', kit: 'kit', component: 'lamp', action: '', wires: [] }]);
    r.node('lamp').receive({ payload: 80 });
    await r.board.waitForPin(11, (s) => s.mode === PinMode.PWM && s.value === 80);
  });

  it("uses the node's own action whatever the payload", async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'led', type: 'stemlab-led', kit: 'kit', component: 'led', action: 'on', wires: [] }]);
    r.node('led').receive({ payload: 1_700_000_000_000 });
    await r.board.waitForPin(13, (s) => s.value === 1);
  });
});

describe('stemlab-robot-drive', () => {
  const drive = { id: 'drive', type: 'stemlab-robot-drive', kit: 'kit', left: 'left', right: 'right', action: '', speed: 150, ms: 0, wires: [['out']] };

  it('drives forward at speed, keeps the watchdog fed past 1 s, and stops', async () => {
    const r = await rig();
    await r.load([kitNode, drive, collector('out')]);
    const safetyStops: unknown[] = [];
    r.sa.agent.bus.on('safety:stop', (e) => safetyStops.push(e));
    r.node('drive').receive({ payload: { action: 'forward', speed: 150 } });
    await r.board.waitForPin(5, (s) => s.value === 150);
    await r.board.waitForPin(6, (s) => s.value === 150);
    expect([r.board.pinState(4).value, r.board.pinState(7).value]).toEqual([1, 1]);
    // Twice the agent's 500 ms dead-man window: only the node's re-sending keeps it going.
    await resentOver(r, 1000);
    expect([r.board.pinState(5).value, r.board.pinState(6).value]).toEqual([150, 150]);
    expect(safetyStops).toEqual([]);
    r.node('drive').receive({ payload: 'stop' });
    await r.board.waitForPin(5, (s) => s.value === 0);
    await r.board.waitForPin(6, (s) => s.value === 0);
  });

  it('turns on the spot: left wheel back, right wheel forward', async () => {
    const r = await rig();
    await r.load([kitNode, drive, collector('out')]);
    r.node('drive').receive({ payload: 'left' });
    await r.board.waitForPin(5, (s) => s.value === 150);
    await r.board.waitForPin(6, (s) => s.value === 150);
    expect([r.board.pinState(4).value, r.board.pinState(7).value]).toEqual([0, 1]);
  });

  it('a timed move stops by itself, then sends the message on', async () => {
    const r = await rig();
    await r.load([kitNode, drive, collector('out')]);
    const started = Date.now();
    const done = message(r.node('out'));
    r.node('drive').receive({ payload: { action: 'back', speed: 120, ms: 300 } });
    await r.board.waitForPin(5, (s) => s.value === 120);
    const msg = await done;
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(msg.payload).toEqual({ action: 'back', speed: 120, ms: 300 });
    expect([r.board.pinState(5).value, r.board.pinState(6).value]).toEqual([0, 0]);
  });

  it('stops the robot and its re-sending when its flow is stopped', async () => {
    const r = await rig();
    await r.load([kitNode, drive, collector('out')]);
    r.node('drive').receive({ payload: 'forward' });
    await r.board.waitForPin(5, (s) => s.value === 150);
    await helper.unload();
    await r.board.waitForPin(5, (s) => s.value === 0, 1000);
    expect(await watchdogStops(r, 'left')).toEqual([]);
  });

  it('a newer command from another node takes the motors over', async () => {
    const r = await rig();
    await r.load([kitNode, drive, collector('out'), { ...drive, id: 'stopper', action: 'stop', wires: [] }]);
    r.node('drive').receive({ payload: 'forward' });
    await r.board.waitForPin(5, (s) => s.value === 150);
    r.node('stopper').receive({ payload: true });
    await r.board.waitForPin(5, (s) => s.value === 0);
    // The first node no longer re-sends its forward over the stop.
    expect(await watchdogStops(r, 'left')).toEqual([]);
    await r.board.waitForPin(5, (s) => s.value === 0);
  });

  it('the e-stop ends its motion at once: a reset right after it does not bring the robot back', async () => {
    const r = await rig();
    await r.load([kitNode, drive, collector('out'), { id: 'catch', type: 'catch', scope: ['drive'], wires: [['caught']] }, collector('caught')]);
    const caught = message<{ error: { code: string } }>(r.node('caught'));
    r.node('drive').receive({ payload: 'forward' });
    await r.board.waitForPin(5, (s) => s.value === 150);
    // Reset before the node's next re-send could be refused (the room console's teacher
    // presses reset right after the stop): the motion must already be over.
    r.sa.agent.estop.trigger('test');
    r.sa.agent.estop.reset('test');
    expect((await caught).error.code).toBe('ESTOP_LATCHED');
    expect([r.board.pinState(5).value, r.board.pinState(6).value]).toEqual([0, 0]);
    expect(await watchdogStops(r, 'left')).toEqual([]);
  });

  it('refuses a payload it does not understand, to Catch', async () => {
    const r = await rig();
    await r.load([kitNode, drive, collector('out'), { id: 'catch', type: 'catch', scope: ['drive'], wires: [['caught']] }, collector('caught')]);
    const caught = message<{ error: { code: string } }>(r.node('caught'));
    r.node('drive').receive({ payload: 'fly' });
    expect((await caught).error.code).toBe('PAYLOAD_INVALID');
  });
});

describe('re-sending inside the dead-man window the bridge tells', () => {
  const drive = { id: 'drive', type: 'stemlab-robot-drive', kit: 'kit', left: 'left', right: 'right', action: '', speed: 150, ms: 0, wires: [[]] };

  it('re-sends at a third of the window, between 20 and 200 ms', () => {
    expect([400, 500, 600, 10_000, 50].map((watchdogMs) => resendMs({ watchdogMs }))).toEqual([133, 166, 200, 200, 20]);
    // A bridge that does not say (an older agent): the slowest re-send, as before.
    expect(resendMs({})).toBe(200);
  });

  it('keeps a robot driving on the shortest window the config accepts (400 ms): no safety stop, re-sent every ~133 ms', async () => {
    const r = await rig(undefined, { config: { safety: { watchdogMs: 400 } } });
    expect(r.bridge.watchdogMs).toBe(400);
    await r.load([kitNode, drive]);
    const at: number[] = [];
    const off = r.sa.agent.bus.on('component:command', (e) => e.origin === 'flow' && e.component === 'left' && at.push(e.at));
    const safetyStops: unknown[] = [];
    r.sa.agent.bus.on('safety:stop', (e) => safetyStops.push(e));
    r.node('drive').receive({ payload: 'forward' });
    await r.board.waitForPin(5, (s) => s.value === 150);
    await resentOver(r, 1200);
    off();
    expect(safetyStops).toEqual([]);
    expect(r.board.pinState(5).value).toBe(150);
    // The agent's own timestamps of the re-sends: their typical gap is the node's period (a
    // late timer moves one gap, not the median). At 200 ms, two re-sends did not fit in 400.
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
    expect(median).toBeLessThan(170);
    r.node('drive').receive({ payload: 'stop' });
    await r.board.waitForPin(5, (s) => s.value === 0);
  });
});

describe('stemlab-motor', () => {
  it('runs one motor from a signed speed and keeps it running', async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'motor', type: 'stemlab-motor', kit: 'kit', component: 'right', action: '', speed: 150, ms: 0, wires: [[]] }]);
    r.node('motor').receive({ payload: -100 });
    await r.board.waitForPin(6, (s) => s.value === 100);
    expect(r.board.pinState(7).value).toBe(0);
    await resentOver(r, 800); // past the 500 ms dead-man window
    expect(r.board.pinState(6).value).toBe(100);
    r.node('motor').receive({ payload: 0 });
    await r.board.waitForPin(6, (s) => s.value === 0);
  });
});

describe('stemlab-servo', () => {
  it('turns to an angle, clamped to the kit limit, and centers', async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'servo', type: 'stemlab-servo', kit: 'kit', component: 'head', action: '', degrees: 90, wires: [] }]);
    r.node('servo').receive({ payload: 45 });
    await r.board.waitForPin(9, () => r.board.servoAngle(9) === 45);
    r.node('servo').receive({ payload: 180 });
    await r.board.waitForPin(9, () => r.board.servoAngle(9) === 170);
    r.node('servo').receive({ payload: 'center' });
    await r.board.waitForPin(9, () => r.board.servoAngle(9) === 90);
  });
});

describe('stemlab-buzzer', () => {
  it('plays a tone on pin 3 and goes quiet on false', async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'buzzer', type: 'stemlab-buzzer', kit: 'kit', component: 'buzzer', action: '', frequency: 880, ms: 300, wires: [] }]);
    let toggles = 0;
    r.board.on('pin', (s) => s.pin === 3 && toggles++);
    r.node('buzzer').receive({ payload: 440 });
    await r.board.waitForPin(3, () => toggles >= 10);
    r.node('buzzer').receive({ payload: false });
    await r.board.waitForPin(3, (s) => s.value === 0);
  });
});
