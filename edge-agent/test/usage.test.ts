import { afterEach, describe, expect, it } from 'vitest';
import { UsageTracker, type UsageDraftEvent } from '../src/usage/tracker.ts';
import { robotKit, simAgent, type SimAgent } from './helpers/sim-agent.ts';

// The usage rules of src/usage/rules.ts, observed through a real agent on simulated kits.

let running: SimAgent | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const clock = { synced: true, bootId: 'boot-1', uptimeMs: 0 };

async function tracked(idleMs = 300, kits = [robotKit('robot-1'), robotKit('robot-2')]) {
  const events: UsageDraftEvent[] = [];
  running = await simAgent({ kits, safety: { watchdogMs: 200 } });
  const tracker = new UsageTracker(running.agent.config, running.agent.bus, (e) => events.push(e), { now: () => ({ at: Date.now(), clock }) }, idleMs);
  await running.agent.use(tracker);
  return { sa: running, tracker, events };
}

const ends = (events: UsageDraftEvent[]) => events.filter((e): e is Extract<UsageDraftEvent, { type: 'session.end' }> => e.type === 'session.end');
const until = async (test: () => boolean, timeoutMs = 3000) => {
  const t0 = Date.now();
  while (!test()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('usage sessions', () => {
  it('a lesson driving a motor opens a component and a kit session; idleness ends them at the last activity', async () => {
    const { sa, events } = await tracked();
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) {
      sa.agent.command('robot-1', 'left', { action: 'forward', speed: 120 });
      await new Promise((r) => setTimeout(r, 100));
    }
    const lastCommand = Date.now() - 100;
    // The watchdog stops the motor 200 ms after the last command; 300 ms later the session is idle.
    await until(() => ends(events).length === 2);
    expect(events.map((e) => `${e.type} ${e.device.component ?? 'kit'}`)).toEqual([
      'session.start kit',
      'session.start left',
      'session.end left',
      'session.end kit',
    ]);
    const [motor, kit] = ends(events);
    expect(motor!.session.endReason).toBe('idle');
    expect(motor!.session.endedAt).toBeGreaterThanOrEqual(lastCommand - 5);
    expect(motor!.session.endedAt).toBeLessThan(lastCommand + 150);
    expect(motor!.session.startedAt).toBeGreaterThanOrEqual(t0);
    expect(motor!.session.counts.activations).toBe(3);
    // It ran from the first command until the watchdog stopped it: ~200 ms of commands + 200 ms window.
    expect(motor!.session.counts.motorMs).toBeGreaterThanOrEqual(350);
    expect(motor!.session.counts.motorMs).toBeLessThan(700);
    expect(motor!.session.purpose).toEqual({ kind: 'free-practice' });
    expect(kit!.session.counts).toEqual(motor!.session.counts);
    expect(kit!.device).toEqual({ kit: 'robot-1', component: null, type: 'kit' });
  });

  it('sensor readings are use only while the kit is tagged with a lesson or experiment', async () => {
    const { sa, tracker, events } = await tracked(5000);
    const board = sa.sim.board('robot-1');
    board.setVoltage('A3', 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual([]);
    tracker.tag({ kind: 'lesson', lessonId: 'line-follow', classId: '8a1', by: 'teacher' }, ['robot-1']);
    board.setVoltage('A3', 3);
    await until(() => events.some((e) => e.type === 'session.start' && e.device.component === 'light'));
    tracker.tag({ kind: 'free-practice' }, ['robot-1']);
    const end = ends(events).find((e) => e.device.component === 'light')!;
    expect(end.session.endReason).toBe('retag');
    expect(end.session.purpose).toMatchObject({ kind: 'lesson', lessonId: 'line-follow' });
    expect(end.session.counts.readings).toBeGreaterThan(0);
    expect(sa.agent.kit('robot-2').status().state).toBe('connected');
    expect(events.some((e) => e.device.kit === 'robot-2')).toBe(false);
  });

  it('a kit unplugged mid-session ends its sessions then, with a fault', async () => {
    const { sa, events } = await tracked(5000);
    sa.agent.command('robot-1', 'led', { action: 'on' });
    sa.agent.command('robot-1', 'left', { action: 'forward', speed: 100 });
    sa.sim.port('robot-1').unplug();
    await until(() => ends(events).length === 3);
    for (const end of ends(events)) {
      expect(end.session.endReason).toBe('disconnect');
      expect(end.session.faults).toBe(1);
    }
  });

  it('the e-stop and stopping the agent end every open session', async () => {
    const { sa, events } = await tracked(5000);
    sa.agent.command('robot-1', 'pump', { action: 'on' });
    sa.agent.command('robot-2', 'pump', { action: 'on' });
    sa.agent.estop.trigger('test');
    expect(ends(events).map((e) => e.session.endReason)).toEqual(['estop', 'estop', 'estop', 'estop']);
    sa.agent.estop.reset('test');
    sa.agent.command('robot-1', 'led', { action: 'on' });
    await sa.agent.stop();
    expect(ends(events).slice(4).map((e) => e.session.endReason)).toEqual(['shutdown', 'shutdown']);
  });

  it("a technician's self-test is not use", async () => {
    const { sa, events } = await tracked(5000);
    sa.agent.command('robot-1', 'left', { action: 'forward', speed: 60 }, 'selftest');
    sa.agent.command('robot-1', 'left', { action: 'stop' }, 'selftest');
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([]);
  });
});
