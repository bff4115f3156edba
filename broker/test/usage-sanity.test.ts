/**
 * Usage events that fit the schema but cannot be true are dead-lettered with a reason
 * (ingest/sanity.ts, ledger.ts usageRun): times against the gateway's clock and the central's,
 * a session against its own figures, a seq far past the gateway's highest, an event id seen again
 * with other content. What real gateways do passes: a stale unsynchronised clock after boot, an
 * outbox replayed weeks later.
 */
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { usageEventSchema, type UsageEvent } from '@stemlab/protocol';
import { usageInsanity } from '../src/ingest/sanity.ts';
import { clock, connectGateway, publishUsage, sessionStart, startTestCentral, type TestCentral } from './helpers.ts';

const NOW = Date.UTC(2026, 2, 10, 2, 0);
const DAY = 86_400_000;

function sessionEnd(seq: number, s: { at?: number; startedAt?: number; endedAt?: number; durationMs?: number; synced?: boolean; motorMs?: number } = {}): UsageEvent {
  const at = s.at ?? NOW;
  const endedAt = s.endedAt ?? at;
  const startedAt = s.startedAt ?? endedAt - 600_000;
  return usageEventSchema.parse({
    v: 1,
    eventId: randomUUID(),
    seq,
    at,
    clock: clock({ synced: s.synced ?? true }),
    type: 'session.end',
    device: { kit: 'robot-1', component: 'left-motor', type: 'motor' },
    session: {
      id: randomUUID(),
      startedAt,
      endedAt,
      durationMs: s.durationMs ?? endedAt - startedAt,
      purpose: { kind: 'club-session' },
      counts: { activations: 3, motorMs: s.motorMs ?? 1000, readings: 10 },
      faults: 0,
      endReason: 'idle',
    },
  });
}

describe('usageInsanity', () => {
  it('refuses what cannot be true, saying why', () => {
    const cases: [UsageEvent, RegExp][] = [
      [sessionEnd(1, { at: Date.UTC(2100, 0, 1) }), /ahead of the central's time.*synchronised/],
      [sessionStart(1, { at: 0 }), /before 2020-01-01.*synchronised/],
      [sessionEnd(1, { startedAt: NOW - 60_000, endedAt: NOW - 120_000, durationMs: 0 }), /endedAt .* is before session.startedAt/],
      [sessionEnd(1, { startedAt: NOW - 1000, durationMs: Number.MAX_SAFE_INTEGER }), /durationMs 9007199254740991 is longer than the session's span/],
      [sessionEnd(1, { startedAt: NOW - 56 * 365 * DAY }), /a session lasts at most 31.0 days/],
      [sessionEnd(1, { motorMs: 10 ** 12 }), /counts.motorMs/],
      [sessionEnd(1, { at: NOW + 2 * 366 * DAY, synced: false }), /more than a year ahead/],
    ];
    for (const [event, reason] of cases) expect(usageInsanity(event, NOW)).toMatch(reason);
  });

  it('accepts what real gateways send: a stale clock after boot, an outbox replayed weeks later, a clock slightly ahead', () => {
    expect(usageInsanity(sessionEnd(1, { at: 40_000, endedAt: 40_000, startedAt: 10_000, synced: false }), NOW)).toBeUndefined(); // 1970 + uptime
    expect(usageInsanity(sessionEnd(1, { at: NOW - 200 * DAY, synced: false }), NOW)).toBeUndefined(); // fake-hwclock's last save
    expect(usageInsanity(sessionEnd(1, { at: NOW - 40 * DAY }), NOW)).toBeUndefined(); // replayed after 40 days offline
    expect(usageInsanity(sessionEnd(1, { at: NOW + 60_000 }), NOW)).toBeUndefined();
    expect(usageInsanity(sessionEnd(1, { startedAt: NOW - 6 * DAY }), NOW)).toBeUndefined(); // a week-long data logger
  });
});

describe('through the ingest', () => {
  let central: TestCentral;
  let gw: MqttClient;
  afterEach(async () => {
    await gw?.endAsync(true);
    await central?.cleanup();
  });

  it('dead-letters an impossible event, a seq far past the highest and a conflicting duplicate; a plain resend stays a duplicate', async () => {
    central = await startTestCentral();
    gw = await connectGateway(central);
    const first = sessionStart(1);
    if (first.type !== 'session.start') throw new Error('sessionStart made another type');
    await publishUsage(gw, first);
    await publishUsage(gw, first); // a resend: stored once, silently
    await publishUsage(gw, { ...first, device: { ...first.device, component: 'right-motor' } } as UsageEvent); // same id, other content
    await publishUsage(gw, sessionStart(2 ** 53 - 1));
    await publishUsage(gw, sessionEnd(2, { at: Date.UTC(2100, 0, 1) }));
    await publishUsage(gw, sessionStart(2));
    const reasons = (await central.ledger.deadLetters()).map((d) => d.reason);
    expect(reasons).toEqual([
      expect.stringMatching(new RegExp(`^event id ${first.eventId} was already stored with different content: a conflicting duplicate`)),
      expect.stringMatching(/^usage event cannot be true: seq 9007199254740991 is more than 50000000 past the highest seq of .* \(1\)/),
      expect.stringMatching(/^usage event cannot be true: at 2100-01-01T00:00:00.000Z is ahead of the central's time/),
    ]);
    expect((await central.ledger.counts()).events).toBe(2);
    expect((await central.ledger.counts()).openGaps).toBe(0);
  });
});
