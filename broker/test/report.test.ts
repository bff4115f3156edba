/**
 * The quarterly report against a hand-computed fixture on a real SQLite ledger: two units with
 * data (a robot club and a lab centre) and one without, sessions inside the quarter and across
 * both of its edges, faults, an open gap and an evicted range. Every expected figure is worked
 * out by hand in the comments; times are Asia/Ho_Chi_Minh (UTC+7).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageEventSchema, type UsageEvent } from '@stemlab/protocol';
import { Ledger } from '../src/ledger/sqlite.ts';
import type { LedgerMessage } from '../src/ledger/types.ts';
import { FLEET, seedRegistry, type Unit } from '../src/registry/fleet.ts';
import { quarterBounds, quarterlyReport, schoolOverlapMs, DEFAULT_SCHOOL_TIME, toCsv, toJson, type QuarterlyReport } from '../src/reports/quarterly.ts';
import { tmpDir } from './helpers.ts';

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
  const id = randomUUID();
  const startedAt = t(start);
  const endedAt = t(end);
  const faults = opts.faults ?? 0;
  const clock = { synced: true, bootId: 'boot-1', uptimeMs: 1000 };
  const purpose = { kind: 'club-session' as const };
  return [
    usageEventSchema.parse({ v: 1, eventId: randomUUID(), seq, at: startedAt, clock, type: 'session.start', device, session: { id, startedAt, purpose } }),
    usageEventSchema.parse({
      v: 1,
      eventId: randomUUID(),
      seq: seq + 1,
      at: endedAt + (opts.closeDelayMs ?? (faults > 0 ? 0 : 60_000)),
      clock,
      type: 'session.end',
      device,
      session: {
        id,
        startedAt,
        endedAt,
        durationMs: endedAt - startedAt,
        purpose,
        counts: { activations: 1, motorMs: 0, readings: 0 },
        faults,
        endReason: faults > 0 ? 'disconnect' : 'idle',
      },
    }),
  ];
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

let dir: ReturnType<typeof tmpDir>;
let ledger: Ledger;
let report: QuarterlyReport;
const NOW = t('2025-09-25 09:00');

beforeAll(() => {
  dir = tmpDir();
  ledger = Ledger.open(join(dir.dir, 'ledger.sqlite'));
  // One batch per message, as they would arrive weeks apart (a batch touches last_seen once, with its first message's time).
  for (const m of [...eventsA.map(msg(A.id, 'robot-club-1')), ...eventsB.map(msg(B.id, 'lab-1'))]) ledger.insertBatch([m]);
  report = quarterlyReport(ledger, '2025Q3', { units: [A, B, C], now: NOW });
});
afterAll(() => {
  ledger.close();
  dir.remove();
});

const row = (unit: string, type: string) => report.equipment.find((r) => r.unit === unit && r.deviceType === type);

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

describe('equipment of the robot club (unit A)', () => {
  it('motors: clipped at the quarter start, one idle', () => {
    // Devices: robot-1/left-motor, robot-1/right-motor, robot-2/left-motor (seen in Q2) = 3.
    // Hours: S1 1.5 h + S2's part inside the quarter (1/7 00:00 → 01:00) 1 h = 2.5 h.
    // Sessions starting in the quarter: S1 only = 1 (S2 started in Q2); clipped: S2 = 1.
    // Faults: S2 ended in the quarter (1/7 01:00) with 1 fault = 1.
    // School time in use: S1 08:00–09:30 on a Tuesday = 1.5 h; S2's 00:00–01:00 = 0.
    // Share: 1.5 h / (780 h × 3 devices) = 1.5 / 2340.
    expect(row(A.id, 'motor')).toEqual({
      unit: A.id,
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
      repairHours: null,
    });
  });

  it('servo: clipped at the quarter end, its faults go to Q4', () => {
    // Hours: 30/9 16:30 → 1/10 00:00 = 7.5 h (the last 0.5 h is Q4's). Sessions 1, clipped 1.
    // Faults: the session ended 1/10 00:30, in Q4: 0 here. School: 16:30–17:00 = 0.5 h → 0.5 / 780.
    expect(row(A.id, 'servo')).toMatchObject({ devices: 1, hoursUsed: 7.5, sessions: 1, sessionsClipped: 1, schoolUsedMs: 0.5 * HOUR, schoolTimeShare: 0.5 / 780, idle: [], faults: 0 });
  });

  it('the kit as a whole: 3 h on a Saturday morning, all school time', () => {
    // 2/8 07:00 → 10:00 = 3 h; Saturday is a school day: 3 h / 780 h.
    expect(row(A.id, 'kit')).toMatchObject({ devices: 1, hoursUsed: 3, sessions: 1, sessionsClipped: 0, schoolTimeShare: 3 / 780, idle: [], faults: 0 });
  });

  it('has no other equipment rows', () => {
    expect(report.equipment.filter((r) => r.unit === A.id).map((r) => r.deviceType)).toEqual(['kit', 'motor', 'servo']);
  });
});

describe('equipment of the lab centre (unit B)', () => {
  it('thermometer: Sunday and holiday use is use, but not school time', () => {
    // Hours: T1 2 h + T2 1 h + T3 0.75 h = 3.75 h; sessions 3; faults: T3's 1.
    // School: T1 Sunday 0, T2 2/9 closed 0, T3 Wednesday 14:00–14:45 0.75 h → 0.75 / 780.
    expect(row(B.id, 'thermometer')).toMatchObject({ devices: 1, usedMs: 3.75 * HOUR, sessions: 3, sessionsClipped: 0, schoolTimeShare: 0.75 / 780, idle: [], faults: 1 });
  });

  it('a device listed in the registry and never used is idle', () => {
    expect(row(B.id, 'analog-sensor')).toMatchObject({ devices: 1, usedMs: 0, sessions: 0, schoolTimeShare: 0, idle: ['lab-kit-1/ph'], faults: 0 });
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
      uptimeShare: null,
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
      status: 'incomplete',
    });
    expect(report.gateways.find((g) => g.unit === C.id)).toMatchObject({ gateway: 'classroom-1', eventsReceived: 0, status: 'no-data', lastSeen: null });
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

  it('with the seeded registry, reports on every unit', () => {
    const db = new Database(ledger.file);
    seedRegistry(db);
    db.close();
    const all = quarterlyReport(ledger, '2025Q3', { now: NOW });
    expect(all.units).toHaveLength(109);
    expect(all.completeness).toMatchObject({ units: 109, complete: 1, incomplete: 1, noData: 107 });
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
    expect(vi).toContain('Mã đơn vị,Tên trường,Quận/Huyện,Loại đơn vị,Cấp học,Loại thiết bị,Số thiết bị,Số giờ sử dụng,Số phiên,');
    // 1.5 / 2340 = 0.0641 % → 0.06.
    expect(vi).toContain('thcs-q1-01,Trường THCS Thí điểm Quận 1 số 1,Quận 1,CLB robot STEM,THCS,motor,3,2.5,1,1,0.06,1,robot-2/left-motor,1,Chưa có,Đầy đủ\r\n');
    const en = toCsv(report, 'en', { bom: false });
    expect(en.startsWith('Quarter,2025Q3\r\n')).toBe(true);
    expect(en).toContain('Completeness,data complete for 1 of 3 units; 1 gateway has open gaps; 1 gateway reported evicted events; 1 unit sent no data\r\n');
    expect(en).toContain('thcs-q1-01,Pilot Lower-Secondary School Q1 No.1,Quan 1,STEM robot club,Lower secondary,servo,1,7.5,1,1,0.06,0,,0,n/a,Complete\r\n');
    expect(en).toContain(`${B.id},lab-1,7,1,10,10,1,2,1,0,`);
    // The unit without data still has its line.
    expect(en).toContain(`${C.id},${C.name.en},`);
  });
});
