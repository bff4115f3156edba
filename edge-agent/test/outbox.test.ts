import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageEvent } from '@stemlab/protocol';
import type { ClockSource, Stamp } from '../src/mqtt/clock.ts';
import { Outbox, type OutboxOptions, type UsageDraft } from '../src/outbox/outbox.ts';

// The outbox is what makes "nothing is ever lost" true on a gateway that is offline for weeks,
// killed, or unplugged: these tests protect numbering, durability and honest eviction.

const DAY = 86_400_000;

/** A gateway's clocks, moved by hand: wall clock, boot, uptime, NTP state. */
class FakeClock implements ClockSource {
  wall = Date.UTC(2025, 8, 1);
  uptime = 60_000;
  bootId = 'boot-a';
  synced = true;
  now(): Stamp {
    return { at: this.wall, clock: { synced: this.synced, bootId: this.bootId, uptimeMs: this.uptime } };
  }
  advance(ms: number): void {
    this.wall += ms;
    this.uptime += ms;
  }
  reboot(id: string, { wallJump = 0, synced = false } = {}): void {
    this.bootId = id;
    this.uptime = 30_000;
    this.wall += wallJump;
    this.synced = synced;
  }
}

function draft(clock: ClockSource, kit = 'robot-1'): UsageDraft {
  const stamp = clock.now();
  return {
    type: 'session.start',
    ...stamp,
    device: { kit, component: 'left', type: 'motor' },
    session: { id: randomUUID(), startedAt: stamp.at, purpose: { kind: 'free-practice' } },
  };
}

let dir: string;
const open: Outbox[] = [];
let clock: FakeClock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stemlab-outbox-'));
  clock = new FakeClock();
});
afterEach(() => {
  for (const outbox of open.splice(0)) outbox.close();
  rmSync(dir, { recursive: true, force: true });
});

function outbox(options: Partial<OutboxOptions> = {}, file = 'outbox.sqlite'): Outbox {
  const o = Outbox.open({ path: join(dir, file), maxEvents: 1000, maxAgeMs: 30 * DAY, clock, sweepEveryMs: 0, ...options });
  open.push(o);
  return o;
}

const evictions = (events: UsageEvent[]) => events.filter((e) => e.type === 'outbox.evicted');

describe('numbering', () => {
  it('assigns seq from 1 and eventIds, returns the validated event, and continues after a reopen even when everything was acked', () => {
    let box = outbox();
    const first = [box.append(draft(clock)), box.append(draft(clock)), box.append(draft(clock))];
    expect(first.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(first.every((e) => e.v === 1 && /^[0-9a-f-]{36}$/.test(e.eventId))).toBe(true);
    expect(new Set(first.map((e) => e.eventId)).size).toBe(3);

    box.ack([1, 2, 3]);
    expect(box.stats()).toEqual({ pending: 0, evicted: 0 });
    box.close();
    box = outbox();
    // The table is empty: a seq derived from the rows would start again at 1.
    expect(box.append(draft(clock)).seq).toBe(4);
  });

  it('a crash before the ack: the reopened outbox has the same events with the same seq and eventId', () => {
    const box = outbox();
    const appended = Array.from({ length: 5 }, () => box.append(draft(clock)));
    box.ack(2);
    // No close(): the process "dies" with the connection open; a second connection reads the file.
    const after = Outbox.open({ path: join(dir, 'outbox.sqlite'), maxEvents: 1000, maxAgeMs: 30 * DAY, clock });
    open.push(after);
    expect(after.pending(100)).toEqual(appended.filter((e) => e.seq !== 2));
    expect(after.stats().pending).toBe(4);
  });

  it('pending is in seq order, limited, and continues after a seq; ack ignores unknown seqs', () => {
    const box = outbox();
    for (let i = 0; i < 10; i++) box.append(draft(clock));
    expect(box.pending(3).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(box.pending(3, 7).map((e) => e.seq)).toEqual([8, 9, 10]);
    box.ack([1, 1, 99]);
    expect(box.stats().pending).toBe(9);
  });

  it('a draft that breaks the schema throws, stores nothing and uses no seq', () => {
    const box = outbox();
    box.append(draft(clock));
    const bad = { ...draft(clock), device: { kit: 'Robot 1', component: null, type: 'kit' } };
    expect(() => box.append(bad)).toThrow(/usage event not stored/);
    expect(box.stats().pending).toBe(1);
    expect(box.append(draft(clock)).seq).toBe(2);
  });

  it('tells listeners about each stored event', () => {
    const box = outbox();
    const seen: number[] = [];
    const off = box.on('appended', (e) => seen.push(e.seq));
    box.append(draft(clock));
    off();
    box.append(draft(clock));
    expect(seen).toEqual([1]);
  });

  it('the birth sequence number persists and never repeats', () => {
    let box = outbox();
    expect([box.nextBdSeq(), box.nextBdSeq()]).toEqual([1, 2]);
    box.close();
    box = outbox();
    expect(box.nextBdSeq()).toBe(3);
  });

  it('two outboxes on two files do not interfere', () => {
    const a = outbox({}, 'a.sqlite');
    const b = outbox({}, 'b.sqlite');
    a.append(draft(clock, 'robot-1'));
    a.append(draft(clock, 'robot-1'));
    const fromB = b.append(draft(clock, 'robot-2'));
    expect(fromB.seq).toBe(1);
    b.ack(1);
    expect(a.stats().pending).toBe(2);
    expect(a.pending(10).map((e) => e.seq)).toEqual([1, 2]);
  });
});

describe('bounds', () => {
  it('when full, evicts the oldest first and says so in an outbox.evicted event, with a persisted counter', () => {
    let box = outbox({ maxEvents: 10 });
    for (let i = 0; i < 10; i++) box.append(draft(clock));
    const next = box.append(draft(clock));
    // A chunk (half of this small outbox) goes at once, so that notices stay few.
    expect(next.seq).toBe(12);
    const [notice] = evictions(box.pending(100));
    expect(notice).toMatchObject({ seq: 11, type: 'outbox.evicted', evicted: { count: 5, fromSeq: 1, toSeq: 5, reason: 'size' } });
    expect(box.pending(100).map((e) => e.seq)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    expect(box.stats()).toEqual({ pending: 7, evicted: 5 });
    box.close();
    box = outbox({ maxEvents: 10 });
    expect(box.stats()).toEqual({ pending: 7, evicted: 5 });
  });

  it('a long overflow: every lost seq is inside a notice\'s range, and the counts add up to the events lost', () => {
    const box = outbox({ maxEvents: 10 });
    for (let i = 0; i < 100; i++) box.append(draft(clock));
    const pending = box.pending(100);
    expect(pending.length).toBeLessThanOrEqual(10);
    const notices = evictions(pending);
    // Older notices were folded into newer ones as they were evicted.
    expect(notices.length).toBeLessThanOrEqual(2);
    const present = new Set(pending.map((e) => e.seq));
    const last = Math.max(...present);
    for (let seq = 1; seq <= last; seq++) {
      if (present.has(seq)) continue;
      expect(notices.some((n) => n.evicted.fromSeq <= seq && seq <= n.evicted.toSeq), `seq ${seq} lost without a notice`).toBe(true);
    }
    const usagePending = pending.filter((e) => e.type !== 'outbox.evicted').length;
    const counted = notices.reduce((sum, n) => sum + n.evicted.count, 0);
    expect(counted).toBe(100 - usagePending);
    expect(box.stats().evicted).toBe(counted);
  });

  it('evicts by age within a boot on uptime, even when the wall clock jumps', () => {
    const box = outbox({ maxAgeMs: DAY });
    clock.synced = false;
    for (let i = 0; i < 3; i++) box.append(draft(clock));
    // NTP syncs and the wall clock jumps a year: nothing is older for it.
    clock.wall += 365 * DAY;
    clock.synced = true;
    box.append(draft(clock));
    expect(evictions(box.pending(100))).toHaveLength(0);

    clock.advance(DAY + 1);
    const latest = box.append(draft(clock));
    const [notice] = evictions(box.pending(100));
    expect(notice?.evicted).toEqual({ count: 4, fromSeq: 1, toSeq: 4, reason: 'age' });
    expect(box.pending(100).map((e) => e.seq)).toEqual([5, latest.seq]);
    expect(box.stats().evicted).toBe(4);
  });

  it('across a reboot, evicts by age only on a synchronised wall clock', () => {
    let box = outbox({ maxAgeMs: DAY });
    box.append(draft(clock)); // synced, boot a
    box.close();

    // Rebooted without NTP: the age of the old event is unknown, so it stays.
    clock.reboot('boot-b', { wallJump: 3 * DAY, synced: false });
    box = outbox({ maxAgeMs: DAY });
    box.append(draft(clock));
    expect(evictions(box.pending(100))).toHaveLength(0);

    // NTP synced: the old event was stored on a synced clock 3 days ago.
    clock.synced = true;
    expect(box.sweep()).toMatchObject({ type: 'outbox.evicted', evicted: { count: 1, fromSeq: 1, toSeq: 1, reason: 'age' } });
    expect(box.pending(100).map((e) => e.seq)).toEqual([2, 3]);
  });
});

describe('kill -9', () => {
  it('a process killed while appending loses no committed event and never reuses a seq', async () => {
    const file = join(dir, 'killed.sqlite');
    const script = join(dir, 'append-forever.ts');
    const outboxUrl = new URL('../src/outbox/outbox.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { randomUUID } from 'node:crypto';
       import { Outbox } from ${JSON.stringify(outboxUrl)};
       const box = Outbox.open({ path: ${JSON.stringify(file)}, maxEvents: 1_000_000, maxAgeMs: 1e12 });
       const clock = { synced: false, bootId: 'child', uptimeMs: 1 };
       for (;;) {
         const e = box.append({ type: 'session.start', at: Date.now(), clock, device: { kit: 'robot-1', component: null, type: 'kit' },
           session: { id: randomUUID(), startedAt: Date.now(), purpose: { kind: 'free-practice' } } });
         // stdout to a pipe is synchronous on Linux: a printed event is a committed one.
         process.stdout.write(e.seq + ' ' + e.eventId + '\\n');
       }`,
    );
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const printed: Array<[number, string]> = [];
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the appending process exited by itself (${code})`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) printed.push(line.split(' ').map((x, i) => (i === 0 ? Number(x) : x)) as [number, string]);
        if (printed.length >= 300) resolve();
      });
    });
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const box = Outbox.open({ path: file, maxEvents: 1_000_000, maxAgeMs: 1e12 });
    open.push(box);
    const stored = box.pending(1_000_000);
    // Seqs 1..N without a gap; N may be one past the last printed line (committed, then killed).
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    expect(stored.length).toBeGreaterThanOrEqual(printed.length);
    for (const [seq, eventId] of printed) expect(stored[seq - 1]?.eventId).toBe(eventId);
    expect(box.append(draft(clock)).seq).toBe(stored.length + 1);
  });
});

describe('the journal of open sessions', () => {
  it('keeps a session from its start event to its end event, with its checkpoints, across a reopen', () => {
    const a = outbox();
    const start = draft(clock) as Extract<UsageDraft, { type: 'session.start' }>;
    const other = draft(clock, 'robot-2') as Extract<UsageDraft, { type: 'session.start' }>;
    a.append(start);
    a.append(other);
    a.checkpoint([{ id: start.session.id, counts: { activations: 3, motorMs: 1200, readings: 0 }, lastActivity: start.at + 5000 }]);
    clock.advance(6000);
    const { id, startedAt, purpose } = other.session;
    a.append({ ...clock.now(), type: 'session.end', device: other.device, session: { id, startedAt, purpose, endedAt: clock.wall, durationMs: 6000, counts: { activations: 1, motorMs: 0, readings: 0 }, faults: 0, endReason: 'idle' } });
    // Acked and gone from the events, the session is still known to be open.
    a.ack([1, 2, 3]);
    a.close();
    expect(outbox().left()).toEqual([
      { device: start.device, session: start.session, counts: { activations: 3, motorMs: 1200, readings: 0 }, lastActivity: start.at + 5000 },
    ]);
  });
});
