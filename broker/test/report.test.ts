/**
 * The quarterly report against a hand-computed fixture, on both ledger backends (a real SQLite
 * file; a real PostgreSQL schema): two units with data (a robot club and a lab centre) and one
 * without, sessions inside the quarter and across both of its edges, faults, an open gap and an
 * evicted range, kits breaking and being repaired, a gateway going offline and a central stopped
 * for two days. Every expected figure is worked out by hand in the comments; times are
 * Asia/Ho_Chi_Minh (UTC+7).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageEventSchema, type KitStatePayload, type UsageEvent } from '@stemlab/protocol';
import type { Ledger } from '../src/ledger/ledger.ts';
import type { LedgerMessage } from '../src/ledger/types.ts';
import { FLEET, listUnits, seedRegistry, type Unit } from '../src/registry/fleet.ts';
import { openCentralState } from '../src/central-state/state.ts';
import { kitRepairs, median, uptime } from '../src/reports/availability.ts';
import { categoryOf } from '../src/reports/category.ts';
import { toCsv, toJson } from '../src/reports/csv.ts';
import { DEFINITIONS } from '../src/reports/labels.ts';
import type { QuarterlyReport } from '../src/reports/model.ts';
import { DEFAULT_SCHOOL_TIME, quarterBounds, schoolOverlapMs } from '../src/reports/quarter.ts';
import { quarterlyReport } from '../src/reports/quarterly.ts';
import { BACKENDS, LedgerFactory } from './backends.ts';
import { sessionEvents, tmpDir } from './helpers.ts';

const HOUR = 3_600_000;
/** A local (UTC+7) time: '2025-07-01 08:00'. */
const t = (local: string) => Date.parse(`${local.replace(' ', 'T')}:00+07:00`);

interface Device {
  kit: string;
  component: string | null;
  type: string;
}

/**
 * A session's two events, seq and seq+1, on a synchronised clock. The end event is published
 * `closeDelayMs` after endedAt (an idle end is noticed when the idle window runs out), so the
 * report must use endedAt, not the end event's time.
 */
function session(seq: number, device: Device, start: string, end: string, opts: { faults?: number; closeDelayMs?: number } = {}): UsageEvent[] {
  const faults = opts.faults ?? 0;
  return sessionEvents(seq, { startedAt: t(start), endedAt: t(end), device, faults, closeDelayMs: opts.closeDelayMs ?? (faults > 0 ? 0 : 60_000), clock: { uptimeMs: 1000 } });
}

function evicted(seq: number, at: string, fromSeq: number, toSeq: number): UsageEvent {
  return usageEventSchema.parse({
    v: 1,
    eventId: randomUUID(),
    seq,
    at: t(at),
    clock: { synced: true, bootId: 'boot-1', uptimeMs: 1000 },
    type: 'outbox.evicted',
    evicted: { count: toSeq - fromSeq + 1, fromSeq, toSeq, reason: 'size' },
  });
}

const leftMotor = { kit: 'robot-1', component: 'left-motor', type: 'motor' };
const rightMotor = { kit: 'robot-1', component: 'right-motor', type: 'motor' };
const arm = { kit: 'robot-1', component: 'arm', type: 'servo' };
const robot1 = { kit: 'robot-1', component: null, type: 'kit' };
const robot2Left = { kit: 'robot-2', component: 'left-motor', type: 'motor' };
const thermo = { kit: 'lab-kit-1', component: 'thermo', type: 'thermometer' };

const A = FLEET.find((u) => u.id === 'thcs-q1-01') as Unit;
const labTemplate = FLEET.find((u) => u.kind === 'lab-centre') as Unit;
const B: Unit = {
  ...labTemplate,
  equipment: [
    { gateway: 'lab-1', kit: 'lab-kit-1', component: 'thermo', type: 'thermometer' },
    // Listed in the registry, never used: idle.
    { gateway: 'lab-1', kit: 'lab-kit-1', component: 'ph', type: 'analog-sensor' },
  ],
};
const C = FLEET.find((u) => u.kind === 'smart-classroom') as Unit;

// Unit A (robot club, gateway robot-club-1), seqs 1..10, no gap.
const eventsA: UsageEvent[] = [
  // Q2, wholly before the quarter: makes robot-2/left-motor a known device (idle in Q3).
  ...session(1, robot2Left, '2025-06-10 09:00', '2025-06-10 10:00'),
  // S2: crosses the quarter's START: Mon 30/6 16:00 → Tue 1/7 01:00, ended by an unplugged kit (1 fault).
  ...session(3, rightMotor, '2025-06-30 16:00', '2025-07-01 01:00', { faults: 1 }),
  // S1: Tue 1/7 08:00 → 09:30, inside school time.
  ...session(5, leftMotor, '2025-07-01 08:00', '2025-07-01 09:30'),
  // S4: the kit as a whole, Sat 2/8 07:00 → 10:00 (Saturday is a school day).
  ...session(7, robot1, '2025-08-02 07:00', '2025-08-02 10:00'),
  // S3: crosses the quarter's END: Tue 30/9 16:30 → Wed 1/10 00:30, 2 faults (ending in Q4).
  ...session(9, arm, '2025-09-30 16:30', '2025-10-01 00:30', { faults: 2 }),
];

// Unit B (lab centre, gateway lab-1): seq 5 never arrives (open gap), 8..9 evicted by the outbox.
const eventsB: UsageEvent[] = [
  // T1: Sun 3/8 09:00 → 11:00: used, but not in school time.
  ...session(1, thermo, '2025-08-03 09:00', '2025-08-03 11:00'),
  // T2: Tue 2/9 (National Day, closed) 08:00 → 09:00.
  ...session(3, thermo, '2025-09-02 08:00', '2025-09-02 09:00'),
  // T3: Wed 10/9 14:00 → 14:45, ended by a fault.
  ...session(6, thermo, '2025-09-10 14:00', '2025-09-10 14:45', { faults: 1 }),
  evicted(10, '2025-09-11 10:00', 8, 9),
];

const msg = (unit: string, gateway: string) => (event: UsageEvent): LedgerMessage => ({ kind: 'usage', unit, gateway, event, receivedAt: event.at + 1000 });
const synced = { synced: true, bootId: 'boot-1', uptimeMs: 1000 };
/** A kit's state change, received as it happens. */
const kitState = (unit: string, gateway: string, kit: string, state: KitStatePayload['state'], local: string): LedgerMessage => ({
  kind: 'kit-state',
  unit,
  gateway,
  kit,
  state: { state, at: t(local), clock: synced },
  receivedAt: t(local),
});

// Kit states (repair time). A repair runs from a fault or disconnection to the next
// `connected` and counts, whole, in the quarter it ends in.
const statesA = [
  // robot-1 (unit A: motors, servo and the whole kit): unplugged 30/6 20:00, back 1/7 09:00: a
  // repair of 13 h, ending in Q3 (counted here though it began in Q2).
  ['robot-1', 'connected', '2025-06-20 08:00'],
  ['robot-1', 'disconnected', '2025-06-30 20:00'],
  ['robot-1', 'connected', '2025-07-01 09:00'],
  // Faulty 5/8 10:00 (the repeat at 10:30 is not a change), then unplugged for repair at 11:00:
  // one repair from 10:00 to its return 6/8 10:00 = 24 h.
  ['robot-1', 'fault', '2025-08-05 10:00'],
  ['robot-1', 'fault', '2025-08-05 10:30'],
  ['robot-1', 'disconnected', '2025-08-05 11:00'],
  ['robot-1', 'connected', '2025-08-06 10:00'],
  // Faulty 30/9 22:00, not back by the quarter's end: unrepaired.
  ['robot-1', 'fault', '2025-09-30 22:00'],
  // robot-2 (a motor): 10/7 08:00 → 10:00, a repair of 2 h.
  ['robot-2', 'fault', '2025-07-10 08:00'],
  ['robot-2', 'connected', '2025-07-10 10:00'],
] as const;
const statesB = [
  // lab-kit-1 (thermometer, pH sensor): the fault that ended T3, never repaired.
  ['lab-kit-1', 'fault', '2025-09-10 14:45'],
  // lab-kit-2: in no usage event and not in the registry: a device of kind 'kit', known by its
  // states (and idle). Unplugged 1/9 08:00, back 08:30: a repair of 0.5 h.
  ['lab-kit-2', 'connected', '2025-07-02 08:00'],
  ['lab-kit-2', 'disconnected', '2025-09-01 08:00'],
  ['lab-kit-2', 'connected', '2025-09-01 08:30'],
] as const;

// Presence of A's gateway (uptime). Its first message is in Q2 (10/6), so the window is the
// quarter's start to the report's time, 25/9 09:00: July 31 d + August 31 d + 24 d + 9 h = 2073 h.
const connection = (connected: boolean, local: string): LedgerMessage => ({ kind: 'connection', unit: A.id, gateway: 'robot-club-1', connected, clientId: 'gw:x', receivedAt: t(local) });
const presenceA: Array<LedgerMessage | { centralStops: number }> = [
  connection(true, '2025-06-30 12:00'),
  // A will (power cut) 15/7 12:00, back 16/7 12:00: 24 h offline.
  { kind: 'gateway-state', unit: A.id, gateway: 'robot-club-1', state: { status: 'offline', bdSeq: 0, at: t('2025-07-15 12:00'), clock: synced }, receivedAt: t('2025-07-15 12:00') },
  connection(true, '2025-07-16 12:00'),
  // The central is stopped 10/8 00:00 and runs again 12/8 00:00, when the gateway reconnects: 48 h unknown.
  { centralStops: t('2025-08-10 00:00') },
  connection(true, '2025-08-12 00:00'),
  // A clean disconnect 20/9 12:00: offline until the report's time (4 d 21 h = 117 h).
  connection(false, '2025-09-20 12:00'),
];
// Online: 1/7 00:00 → 15/7 12:00 = 348 h; 16/7 12:00 → 10/8 00:00 = 24.5 d = 588 h;
// 12/8 00:00 → 20/9 12:00 = 39.5 d = 948 h; total 1884 h. Offline: 24 + 117 = 141 h. Unknown: 48 h.
// 1884 + 141 + 48 = 2073 h. Uptime share: 1884 / 2073.

const NOW = t('2025-09-25 09:00');

describe.each(BACKENDS)('the quarterly report on $backend', ({ backend, run }) => {
  const factory = new LedgerFactory(backend);
  let ledger: Ledger;
  let report: QuarterlyReport;

  beforeAll(async () => {
    if (!run) return;
    ledger = await factory.open();
    // One batch per message, in the order they arrive (weeks apart).
    const steps: Array<LedgerMessage | { centralStops: number }> = [
      ...eventsA.map(msg(A.id, 'robot-club-1')),
      ...eventsB.map(msg(B.id, 'lab-1')),
      ...statesA.map(([kit, state, local]) => kitState(A.id, 'robot-club-1', kit, state, local)),
      ...statesB.map(([kit, state, local]) => kitState(B.id, 'lab-1', kit, state, local)),
      ...presenceA,
    ];
    const when = (s: (typeof steps)[number]) => ('centralStops' in s ? s.centralStops : s.receivedAt);
    for (const step of steps.sort((x, y) => when(x) - when(y))) {
      if ('centralStops' in step) await ledger.endPresence(step.centralStops);
      else await ledger.insertBatch([step]);
    }
    report = await quarterlyReport(ledger, '2025Q3', { units: [A, B, C], now: NOW });
  });
  afterAll(async () => {
    if (run) await ledger.close();
    await factory.dispose();
  });

  describe.runIf(run)('(service available)', () => {
    const kitRow = (unit: string, category: string) => report.kits.find((r) => r.unit === unit && r.category === category);
    const componentRow = (unit: string, type: string) => report.components.find((r) => r.unit === unit && r.deviceType === type);

    describe('the quarter', () => {
      it('runs 1/7 00:00 to 1/10 00:00 local, due 25/9 17:00', () => {
        expect(report).toMatchObject({
          quarter: '2025Q3',
          timezone: 'Asia/Ho_Chi_Minh',
          from: '2025-07-01T00:00:00+07:00',
          to: '2025-10-01T00:00:00+07:00',
          generatedAt: '2025-09-25T09:00:00+07:00',
          deadline: '2025-09-25T17:00:00+07:00',
          onTime: true,
        });
        const q4 = quarterBounds('2025Q4');
        expect([q4.from, q4.to, q4.deadline]).toEqual([t('2025-10-01 00:00'), t('2026-01-01 00:00'), t('2025-12-25 17:00')]);
        expect(quarterBounds('2026Q1').deadline).toBe(t('2026-03-25 17:00'));
        expect(() => quarterBounds('2025Q5')).toThrow(/YYYYQn/);
      });

      it('has 780 school hours', () => {
        // 92 days (31 + 31 + 30). Sundays: July 6, 13, 20, 27; August 3, 10, 17, 24, 31; September
        // 7, 14, 21, 28 = 13, leaving 79 Monday–Saturday days; 2/9 (a Tuesday) is closed: 78 days.
        // 78 × 10 h (07:00–17:00) = 780 h.
        expect(report.schoolHours).toBe(780);
        // A session across midnight and a Sunday: Sat 18:00 → Mon 08:30 is only Mon 07:00–08:30.
        expect(schoolOverlapMs(t('2025-08-02 18:00'), t('2025-08-04 08:30'), DEFAULT_SCHOOL_TIME)).toBe(1.5 * HOUR);
      });
    });

    describe('the robots of the robot club (unit A)', () => {
      it('kits: the headline, never the sum of the components', () => {
        // Kits: robot-1 (used) and robot-2 (seen in Q2 only: idle). The kit sessions: S4 only, 2/8
        // 07:00 → 10:00 = 3 h on a Saturday (a school day): 3 h / (780 h × 2 kits). The
        // components' 2.5 + 7.5 h are parts of the kits, not added.
        // Repairs of robot-1 and robot-2 ending in Q3: 13 h, 24 h, 2 h: median 13 h, total 39 h;
        // robot-1 still faulty at the quarter's end: 1 unrepaired.
        expect(kitRow(A.id, 'robots')).toEqual({
          unit: A.id,
          category: 'robots',
          kits: 2,
          usedMs: 3 * HOUR,
          hoursUsed: 3,
          sessions: 1,
          sessionsClipped: 0,
          schoolUsedMs: 3 * HOUR,
          schoolTimeShare: 3 / 1560,
          idle: ['robot-2'],
          faults: 0,
          repairs: 3,
          repairMedianMs: 13 * HOUR,
          repairTotalMs: 39 * HOUR,
          unrepaired: 1,
        });
        expect(report.units.find((u) => u.unit === A.id)).toMatchObject({ kits: 2, hoursUsed: 3, sessions: 1, faults: 0 });
      });

      it('motors: clipped at the quarter start, one idle', () => {
        // Devices: robot-1/left-motor, robot-1/right-motor, robot-2/left-motor (seen in Q2) = 3.
        // Hours: S1 1.5 h + S2's part inside the quarter (1/7 00:00 → 01:00) 1 h = 2.5 h.
        // Sessions starting in the quarter: S1 only = 1 (S2 started in Q2); clipped: S2 = 1.
        // Faults: S2 ended in the quarter (1/7 01:00) with 1 fault = 1.
        // School time in use: S1 08:00–09:30 on a Tuesday = 1.5 h; S2's 00:00–01:00 = 0.
        // Share: 1.5 h / (780 h × 3 devices) = 1.5 / 2340.
        expect(componentRow(A.id, 'motor')).toEqual({
          unit: A.id,
          category: 'robots',
          deviceType: 'motor',
          devices: 3,
          usedMs: 2.5 * HOUR,
          hoursUsed: 2.5,
          sessions: 1,
          sessionsClipped: 1,
          schoolUsedMs: 1.5 * HOUR,
          schoolTimeShare: 1.5 / 2340,
          idle: ['robot-2/left-motor'],
          faults: 1,
        });
      });

      it('servo: clipped at the quarter end, its faults go to Q4', () => {
        // Hours: 30/9 16:30 → 1/10 00:00 = 7.5 h (the last 0.5 h is Q4's). Sessions 1, clipped 1.
        // Faults: the session ended 1/10 00:30, in Q4: 0 here. School: 16:30–17:00 = 0.5 h → 0.5 / 780.
        expect(componentRow(A.id, 'servo')).toMatchObject({ devices: 1, hoursUsed: 7.5, sessions: 1, sessionsClipped: 1, schoolUsedMs: 0.5 * HOUR, schoolTimeShare: 0.5 / 780, idle: [], faults: 0 });
      });

      it('has no other rows', () => {
        expect(report.kits.filter((r) => r.unit === A.id).map((r) => r.category)).toEqual(['robots']);
        expect(report.components.filter((r) => r.unit === A.id).map((r) => r.deviceType)).toEqual(['motor', 'servo']);
      });
    });

    describe('the lab equipment of the lab centre (unit B)', () => {
      it('thermometer: Sunday and holiday use is use, but not school time', () => {
        // Hours: T1 2 h + T2 1 h + T3 0.75 h = 3.75 h; sessions 3; faults: T3's 1.
        // School: T1 Sunday 0, T2 2/9 closed 0, T3 Wednesday 14:00–14:45 0.75 h → 0.75 / 780.
        expect(componentRow(B.id, 'thermometer')).toMatchObject({ category: 'lab', devices: 1, usedMs: 3.75 * HOUR, sessions: 3, sessionsClipped: 0, schoolTimeShare: 0.75 / 780, idle: [], faults: 1 });
      });

      it('a device listed in the registry and never used is idle', () => {
        expect(componentRow(B.id, 'analog-sensor')).toMatchObject({ devices: 1, usedMs: 0, sessions: 0, schoolTimeShare: 0, idle: ['lab-kit-1/ph'], faults: 0 });
      });

      it('kits: one known only by its states, with its repair; one never repaired', () => {
        // lab-kit-1 (used: its thermometer) faulted 10/9 and was never repaired: 1 unrepaired.
        // lab-kit-2: unplugged 1/9 08:00 → 08:30 = 0.5 h; never used: idle.
        expect(kitRow(B.id, 'lab')).toMatchObject({ kits: 2, usedMs: 0, idle: ['lab-kit-2'], repairs: 1, repairMedianMs: 0.5 * HOUR, repairTotalMs: 0.5 * HOUR, unrepaired: 1 });
        expect(report.components.filter((r) => r.unit === B.id).map((r) => r.deviceType)).toEqual(['analog-sensor', 'thermometer']);
      });
    });

    describe('the headline: per category, from the kits', () => {
      it('robots and lab equipment apart', () => {
        expect(report.totals).toEqual([
          { category: 'robots', units: 1, kits: 2, usedMs: 3 * HOUR, hoursUsed: 3, sessions: 1, faults: 0, repairs: 3, repairMedianMs: 13 * HOUR, unrepaired: 1, idleKits: 1 },
          { category: 'lab', units: 1, kits: 2, usedMs: 0, hoursUsed: 0, sessions: 0, faults: 0, repairs: 1, repairMedianMs: 0.5 * HOUR, unrepaired: 1, idleKits: 1 },
        ]);
      });

      it('a lab gateway of a school with a robot club reports lab equipment', () => {
        expect(categoryOf('lab-1', 'robot-club')).toBe('lab');
        expect(categoryOf('robot-club-1', 'robot-club')).toBe('robots');
        expect(categoryOf('gw-7', 'lab-centre')).toBe('lab');
        expect(categoryOf('classroom-1', 'smart-classroom')).toBe('classroom');
      });
    });

    describe('data completeness', () => {
      it('per gateway: events against the seq range, open gaps, evictions', () => {
        // A: events dated in the quarter are seqs 4..9 (3 is S2's start on 30/6, 10 is S3's end on
        // 1/10): 6 received of 6, no gap: complete.
        expect(report.gateways.find((g) => g.unit === A.id)).toMatchObject({
          gateway: 'robot-club-1',
          registered: true,
          eventsReceived: 6,
          seqFrom: 4,
          seqTo: 9,
          seqExpected: 6,
          missing: 0,
          evicted: 0,
          openGaps: 0,
          uncorrected: 0,
          // The last message received: seq 10, 1/10 00:30 + 1 s.
          lastSeen: '2025-10-01T00:30:01+07:00',
          onlineNow: false,
          // See presenceA: 1884 h online, 141 h offline, 48 h unknown of 2073 h.
          uptimeShare: 1884 / 2073,
          onlineHours: 1884,
          offlineHours: 141,
          unknownHours: 48,
          status: 'complete',
        });
        // B: seqs 1, 2, 3, 4, 6, 7, 10 = 7 received of 1..10 = 10; seq 5 missing (an open gap);
        // 8..9 evicted (their gap is closed, but the data is lost): incomplete.
        expect(report.gateways.find((g) => g.unit === B.id)).toMatchObject({
          gateway: 'lab-1',
          eventsReceived: 7,
          seqFrom: 1,
          seqTo: 10,
          seqExpected: 10,
          missing: 1,
          evicted: 2,
          openGaps: 1,
          // No presence record at all: from its first message (2/7 08:00) to 25/9 09:00, 85 d 1 h =
          // 2041 h, all unknown; the share online is 0 (a lower bound), not a guess.
          uptimeShare: 0,
          onlineHours: 0,
          unknownHours: 2041,
          status: 'incomplete',
        });
        expect(report.gateways.find((g) => g.unit === C.id)).toMatchObject({ gateway: 'classroom-1', eventsReceived: 0, status: 'no-data', lastSeen: null, uptimeShare: null });
      });

      it('per unit and in the header', () => {
        expect(report.units.map((u) => [u.unit, u.status])).toEqual(
          [
            [A.id, 'complete'],
            [B.id, 'incomplete'],
            [C.id, 'no-data'],
          ].sort((x, y) => (x[0] as string).localeCompare(y[0] as string)),
        );
        expect(report.completeness).toMatchObject({ units: 3, complete: 1, incomplete: 1, noData: 1, gatewaysWithOpenGaps: 1, gatewaysWithEvictions: 1 });
        expect(report.completeness.summary.en).toBe('data complete for 1 of 3 units; 1 gateway has open gaps; 1 gateway reported evicted events; 1 unit sent no data');
        expect(report.completeness.summary.vi).toMatch(/^dữ liệu đầy đủ cho 1\/3 đơn vị/);
      });

      it("with the seeded registry's units (read from the central's SQLite file), reports on every unit", async () => {
        const dir = tmpDir();
        const db = await openCentralState(undefined, dir.dir);
        await seedRegistry(db);
        const units = await listUnits(db);
        await db.close();
        dir.remove();
        const all = await quarterlyReport(ledger, '2025Q3', { units, now: NOW });
        expect(all.units).toHaveLength(109);
        expect(all.completeness).toMatchObject({ units: 109, complete: 1, incomplete: 1, noData: 107 });
      });
    });

    describe('reading the sessions a page at a time', () => {
      it('gives the same report with one or two session ends per page', async () => {
        for (const sessionPage of [1, 2]) expect(await quarterlyReport(ledger, '2025Q3', { units: [A, B, C], now: NOW, sessionPage })).toEqual(report);
      });

      it('loses and repeats nothing when session ends share a time across a page boundary', async () => {
        const own = await factory.open();
        try {
          const motor = { kit: 'robot-9', component: 'left', type: 'motor' };
          // Three sessions ending at the same instant, read one per page.
          const events = [1, 3, 5].flatMap((seq) => session(seq, motor, '2025-08-05 08:00', '2025-08-05 09:00'));
          await own.insertBatch(events.map(msg(A.id, 'robot-club-1')));
          const r = await quarterlyReport(own, '2025Q3', { units: [A], now: NOW, sessionPage: 1 });
          // The sums are one query; the school-time share is the page walk's: all three hours (a Tuesday morning).
          expect(r.components.find((e) => e.deviceType === 'motor')).toMatchObject({ sessions: 3, hoursUsed: 3, schoolUsedMs: 3 * 3_600_000 });
        } finally {
          await own.close();
        }
      });
    });

    describe('outputs', () => {
      it('JSON round-trips', () => {
        expect(JSON.parse(toJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
      });

      it('CSV in Vietnamese and English', () => {
        const vi = toCsv(report, 'vi');
        expect(vi.startsWith('\uFEFFQuý,2025Q3\r\n')).toBe(true);
        expect(vi).toContain('Hạn nộp,2025-09-25T17:00:00+07:00\r\n');
        expect(vi).toContain(`Định nghĩa,"${DEFINITIONS[2]?.vi}"\r\n`);
        // The headline: per category, repair times as h:mm:ss.
        expect(vi).toContain('Nhóm thiết bị,Số đơn vị,Số bộ thiết bị,Giờ sử dụng (giờ-bộ),Số buổi sử dụng,Số sự cố,Số lần sửa chữa,Thời gian sửa chữa trung vị (giờ:phút:giây),Chưa sửa xong cuối quý,Số bộ không sử dụng\r\n');
        expect(vi).toContain('Robot,1,2,3,1,0,3,13:00:00,1,1\r\n');
        expect(vi).toContain('"Thiết bị thí nghiệm, thực hành",1,2,0,0,0,1,0:30:00,1,1\r\n');
        // Kits: 3 / 1560 = 0.19 %.
        expect(vi).toContain('thcs-q1-01,Trường THCS Thí điểm Quận 1 số 1,Quận 1,CLB robot STEM,THCS,Robot,2,3,1,0,0.19,0,1,robot-2,3,13:00:00,39:00:00,1,Đầy đủ\r\n');
        // Components, their kinds in Vietnamese: 1.5 / 2340 = 0.0641 % → 0.06.
        expect(vi).toContain('Mã đơn vị,Tên trường,Nhóm thiết bị,Loại linh kiện,Số linh kiện,Số giờ sử dụng,Số buổi sử dụng,');
        expect(vi).toContain('thcs-q1-01,Trường THCS Thí điểm Quận 1 số 1,Robot,Động cơ,3,2.5,1,1,0.06,1,1,robot-2/left-motor\r\n');
        expect(vi).toContain(',Nhiệt kế,1,3.75,3,0,');
        expect(vi).not.toMatch(/,motor,|,thermometer,/);
        expect(vi).toContain('Đang trực tuyến,Thời gian hoạt động (%),Thời gian không rõ trạng thái (giờ),Độ đầy đủ dữ liệu\r\n');
        const en = toCsv(report, 'en', { bom: false });
        expect(en.startsWith('Quarter,2025Q3\r\n')).toBe(true);
        expect(en).toContain('Completeness,data complete for 1 of 3 units; 1 gateway has open gaps; 1 gateway reported evicted events; 1 unit sent no data\r\n');
        expect(en).toContain('thcs-q1-01,Pilot Lower-Secondary School Q1 No.1,Robots,Servo,1,7.5,1,1,0.06,0,0,\r\n');
        expect(en).toContain(`${B.id},lab-1,7,1,10,10,1,2,1,0,`);
        // Uptime 1884 / 2073 = 90.884 % → 90.88; 48 h unknown.
        expect(en).toMatch(new RegExp(`${A.id},robot-club-1,6,4,9,6,0,0,0,0,2025-10-01T00:30:01\\+07:00,No,90.88,48,Complete\r\n`));
        expect(en).toContain(`${C.id},classroom-1,0,,,0,0,0,0,0,,,n/a,0,No data\r\n`);
        // The unit without data still has its line in the units' table.
        expect(en).toContain(`${C.id},${C.name.en},`);
      });
    });
  });
});

describe('repair and uptime arithmetic', () => {
  it('a repair counts whole in the quarter it ends in; one running at the end is unrepaired', () => {
    const c = (state: 'connected' | 'disconnected' | 'fault', h: number) => ({ state, t: h * HOUR });
    // Quarter [10 h, 100 h): down 5→12 (7 h, ends inside), 20→21 (fault then disconnect, one repair to 30: 10 h), down at 95.
    const r = kitRepairs([c('fault', 5), c('connected', 12), c('fault', 20), c('disconnected', 21), c('connected', 30), c('fault', 95), c('connected', 120)], 10 * HOUR, 100 * HOUR);
    expect(r).toEqual({ durations: [7 * HOUR, 10 * HOUR], unrepaired: true });
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('uptime is clipped to the quarter, to the first appearance and to now; the rest is unknown', () => {
    // Window [20, 80): first seen at 20, now 80. Online [0, 30) → 10; offline [30, 50) → 20; (50, 60) unknown; online [60, open) → 20.
    const u = uptime([{ online: true, from: 0, to: 30 }, { online: false, from: 30, to: 50 }, { online: true, from: 60, to: null }], 10, 100, 20, 80);
    expect(u).toEqual({ windowMs: 60, onlineMs: 30, offlineMs: 20, unknownMs: 10, share: 0.5 });
    expect(uptime([], 10, 100, 200, 300).share).toBeNull();
  });
});
