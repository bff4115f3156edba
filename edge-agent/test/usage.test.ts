import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../src/outbox/outbox.ts';
import { UsageTracker, type UsageDraftEvent } from '../src/usage/tracker.ts';
import { robotKit, simAgent, type SimAgent } from './helpers/sim-agent.ts';

// The usage rules of src/usage/rules.ts, observed through a real agent on simulated kits.

let running: SimAgent | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const clock = { synced: true, bootId: 'boot-1', uptimeMs: 0 };

/**
 * The tracker's clock, moved by the test: the times and motor windows of the sessions are then
 * exact figures, whatever the machine's load (the agent's watchdog still runs on real timers;
 * what the tracker records is read from this clock).
 */
function manualClock(at = 1_780_000_000_000) {
  const time = { at, now: () => ({ at: time.at, clock }) };
  return time;
}

async function tracked(idleMs = 300, kits = [robotKit('robot-1'), robotKit('robot-2')]) {
  const events: UsageDraftEvent[] = [];
  const time = manualClock();
  running = await simAgent({ kits, safety: { watchdogMs: 400 } });
  const tracker = new UsageTracker(running.agent.config, running.agent.bus, (e) => events.push(e), time, idleMs);
  await running.agent.use(tracker);
  return { sa: running, tracker, events, time };
}

/** Resolves at the kit's next safety stop (the watchdog, the e-stop, a lost link). */
function safetyStop(sa: SimAgent, kit: string): Promise<void> {
  return new Promise((resolve) => {
    const off = sa.agent.bus.on('safety:stop', (e) => {
      if (e.kit !== kit) return;
      off();
      resolve();
    });
  });
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
    const { sa, events, time } = await tracked();
    const t0 = time.at;
    const stopped = safetyStop(sa, 'robot-1');
    for (let i = 0; i < 3; i++) {
      if (i > 0) time.at += 100;
      sa.agent.command('robot-1', 'left', { action: 'forward', speed: 120 });
    }
    const lastCommand = time.at;
    // The watchdog stops the motor 200 ms after the last command: the tracker reads the clock then.
    time.at = lastCommand + 200;
    await stopped;
    expect(ends(events)).toEqual([]); // running motors are never idle
    // 300 ms (idleMs) after the last activity the session is idle and ends at that activity.
    time.at = lastCommand + 300;
    await until(() => ends(events).length === 2);
    expect(events.map((e) => `${e.type} ${e.device.component ?? 'kit'}`)).toEqual([
      'session.start kit',
      'session.start left',
      'session.end left',
      'session.end kit',
    ]);
    const [motor, kit] = ends(events);
    expect(motor!.session.endReason).toBe('idle');
    expect(motor!.session.endedAt).toBe(lastCommand);
    expect(motor!.session.startedAt).toBe(t0);
    expect(motor!.session.counts.activations).toBe(3);
    // It ran from the first command until the watchdog stopped it: 200 ms of commands + the 200 ms window.
    expect(motor!.session.counts.motorMs).toBe(400);
    expect(motor!.session.purpose).toEqual({ kind: 'free-practice' });
    expect(kit!.session.counts).toEqual(motor!.session.counts);
    expect(kit!.device).toEqual({ kit: 'robot-1', component: null, type: 'kit' });
  });

  it('sensor readings are use only while the kit is tagged with a lesson or experiment', async () => {
    const { sa, tracker, events } = await tracked(5000);
    const board = sa.sim.board('robot-1');
    // a reading reached the tracker (it listens first), and opened nothing
    const read = new Promise<void>((resolve) => {
      const off = sa.agent.bus.on('component:reading', (e) => e.kit === 'robot-1' && e.component === 'light' && (off(), resolve()));
    });
    board.setVoltage('A3', 1);
    await read;
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
    // the tracker hears a command as it is given (the bus is synchronous): nothing is on its way
    expect(events).toEqual([]);
  });
});

describe('an agent that dies with sessions open', () => {
  it('ends them at its next start, at the last recorded activity, with the counts recorded and reason crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-crash-'));
    const time = manualClock();
    try {
      running = await simAgent({ kits: [robotKit('robot-1')], safety: { watchdogMs: 400 } });
      const { config, bus } = running.agent;
      // The run that dies: its tracker journals into the outbox, checkpointing every 50 ms.
      const before = Outbox.open({ path: join(dir, 'outbox.sqlite'), maxEvents: 1000, maxAgeMs: 86_400_000 });
      const dying = new UsageTracker(config, bus, (e) => before.append(e), time, 60_000, before, 50);
      await dying.start();
      for (let i = 0; i < 3; i++) {
        if (i > 0) time.at += 50;
        running.agent.command('robot-1', 'led', { action: 'on' });
      }
      const lastCommand = time.at;
      time.at += 1000; // the power goes later
      // The power goes once a checkpoint has the three commands: what is on disk then is all the
      // next run knows (a second connection reads it).
      const after = Outbox.open({ path: join(dir, 'outbox.sqlite'), maxEvents: 1000, maxAgeMs: 86_400_000 });
      await expect.poll(() => after.left().find((s) => s.device.component === 'led')?.counts.activations).toBe(3);
      const left = after.left();
      expect(left.map((s) => s.device.component ?? 'kit').sort()).toEqual(['kit', 'led']);
      const events: UsageDraftEvent[] = [];
      const next = new UsageTracker(config, bus, (e) => {
        events.push(e);
        after.append(e);
      }, time, 60_000, after, 50);
      await next.start();
      const crashed = ends(events);
      expect(crashed.map((e) => `${e.device.component ?? 'kit'} ${e.session.endReason}`)).toEqual(['led crash', 'kit crash']);
      const [led, kit] = crashed;
      expect(led!.session.counts.activations).toBe(3);
      expect(kit!.session.counts.activations).toBe(3); // the kit sums its components, as a normal end does
      expect(led!.session.endedAt).toBe(lastCommand);
      expect(led!.session.durationMs).toBe(led!.session.endedAt - led!.session.startedAt);
      expect(kit!.session.id).toBe(left.find((s) => s.device.component === null)!.session.id);
      // Ended once: the journal is empty, so a third start ends nothing.
      expect(after.left()).toEqual([]);
      await next.stop();
      await dying.stop(); // only to clear the "dead" run's timers: a real crash appends nothing more
      before.close();
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
