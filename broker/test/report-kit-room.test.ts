/**
 * A kit named by two gateways of one unit (a robot carried from the robot club to the lab) counts
 * in ONE category, by the rule of reports/kit-room.ts: the registry's gateway for it, else the
 * gateway that named it first (earliest event time; on equal times, the gateway id that sorts
 * first), never the order the database returns rows in. The same ledger is written to SQLite and
 * PostgreSQL (a schema of its own), rows inserted in the order that would mislead a "first row"
 * rule, and both reports must be equal and follow the rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KitStatePayload } from '@stemlab/protocol';
import type { Ledger } from '../src/ledger/ledger.ts';
import type { LedgerMessage } from '../src/ledger/types.ts';
import { FLEET, type Unit } from '../src/registry/fleet.ts';
import { kitCategories } from '../src/reports/kit-room.ts';
import type { QuarterlyReport } from '../src/reports/model.ts';
import { quarterlyReport } from '../src/reports/quarterly.ts';
import { quarterTrends, type Trends } from '../src/reports/trends.ts';
import { BACKENDS, LedgerFactory } from './backends.ts';
import { sessionEvents } from './helpers.ts';

const HOUR = 3_600_000;
const t = (local: string) => Date.parse(`${local.replace(' ', 'T')}:00+07:00`);
const clock = { synced: true, bootId: 'boot-1', uptimeMs: 1000 };

/** A robot club school with a lab gateway too; robot-5's arm is listed in the registry on the lab's gateway. */
const UNIT: Unit = {
  ...(FLEET.find((u) => u.kind === 'robot-club') as Unit),
  gateways: ['robot-club-1', 'lab-1'],
  equipment: [{ gateway: 'lab-1', kit: 'robot-5', component: 'arm', type: 'servo' }],
};

/** A whole-kit session's two events on `gateway`. */
function session(gateway: string, seq: number, kit: string, start: string, end: string): LedgerMessage[] {
  const events = sessionEvents(seq, { startedAt: t(start), endedAt: t(end), device: { kit, component: null, type: 'kit' }, clock });
  return events.map((event) => ({ kind: 'usage', unit: UNIT.id, gateway, event, receivedAt: event.at + 1000 }));
}

const kitState = (gateway: string, kit: string, state: KitStatePayload['state'], local: string): LedgerMessage => ({
  kind: 'kit-state',
  unit: UNIT.id,
  gateway,
  kit,
  state: { state, at: t(local), clock },
  receivedAt: t(local),
});

// Each batch in the order written: the gateway that must NOT win is written first (and sorts first, 'lab-1' < 'robot-club-1').
const BATCHES: LedgerMessage[][] = [
  // robot-7: on the lab's gateway at 10:00, but on the club's at 08:00 the same day: robots, both sessions (2 h + 1 h).
  session('lab-1', 1, 'robot-7', '2025-07-01 10:00', '2025-07-01 11:00'),
  session('robot-club-1', 1, 'robot-7', '2025-07-01 08:00', '2025-07-01 10:00'),
  // robot-8: first named by both gateways at the same instant: the gateway id that sorts first, lab-1 (lab, 1 h + 1 h).
  session('robot-club-1', 3, 'robot-8', '2025-07-02 08:00', '2025-07-02 09:00'),
  session('lab-1', 3, 'robot-8', '2025-07-02 08:00', '2025-07-02 09:00'),
  // robot-9: known only by its states, on the lab's gateway at 09:00 but on the club's at 08:00: robots (and idle).
  [kitState('lab-1', 'robot-9', 'connected', '2025-07-03 09:00')],
  [kitState('robot-club-1', 'robot-9', 'connected', '2025-07-03 08:00')],
  // robot-5: first named by the club's gateway, but the registry lists it on the lab's: lab (1 h).
  session('robot-club-1', 5, 'robot-5', '2025-07-04 08:00', '2025-07-04 09:00'),
];

describe('the rule itself', () => {
  it('registry first, then the earliest sighting, then the gateway id', () => {
    const unit: Unit = { ...UNIT, equipment: [] };
    const categories = kitCategories([unit], [
      { unit: unit.id, gateway: 'lab-1', kit: 'k1', at: 10 },
      { unit: unit.id, gateway: 'robot-club-1', kit: 'k1', at: 9 },
      { unit: unit.id, gateway: 'robot-club-1', kit: 'k2', at: 5 },
      { unit: unit.id, gateway: 'lab-1', kit: 'k2', at: 5 },
    ]);
    expect(categories.get(`${unit.id}\u0000k1`)).toBe('robots');
    expect(categories.get(`${unit.id}\u0000k2`)).toBe('lab');
    expect(kitCategories([UNIT], [{ unit: UNIT.id, gateway: 'robot-club-1', kit: 'robot-5', at: 0 }]).get(`${UNIT.id}\u0000robot-5`)).toBe('lab');
  });
});

const reports = new Map<string, { report: QuarterlyReport; trends: Trends }>();

describe.each(BACKENDS)('a kit named by two gateways, on $backend', ({ backend, run }) => {
  const factory = new LedgerFactory(backend);
  let ledger: Ledger;
  let report: QuarterlyReport;
  let trends: Trends;

  beforeAll(async () => {
    if (!run) return;
    ledger = await factory.open();
    for (const batch of BATCHES) await ledger.insertBatch(batch);
    const now = t('2025-10-02 09:00');
    report = await quarterlyReport(ledger, '2025Q3', { units: [UNIT], now });
    trends = await quarterTrends(ledger, '2025Q3', { units: [UNIT], now, report });
    reports.set(backend, { report, trends });
  });
  afterAll(async () => {
    if (run) await ledger.close();
    await factory.dispose();
  });

  describe.runIf(run)('(service available)', () => {
    const row = (category: string) => report.kits.find((r) => r.category === category);

    it('counts each kit, and all its sessions, in the category the rule gives it', () => {
      expect(row('robots')).toMatchObject({ kits: 2, usedMs: 3 * HOUR, sessions: 2, idle: ['robot-9'] });
      expect(row('lab')).toMatchObject({ kits: 2, usedMs: 3 * HOUR, sessions: 3, idle: [] });
      expect(report.kits).toHaveLength(2);
    });

    it('the trends cut the same kit-hours per category', () => {
      for (const c of trends.categories) expect(c.usedMs).toBe(report.totals.find((x) => x.category === c.category)?.usedMs);
      expect(trends.categories.map((c) => c.category).sort()).toEqual(['lab', 'robots']);
    });
  });
});

describe.runIf(BACKENDS.every((b) => b.run))('SQLite and PostgreSQL', () => {
  it('give the same report and trends for the same ledger', () => {
    const sqlite = reports.get('sqlite');
    const postgres = reports.get('postgres');
    expect(sqlite).toBeDefined();
    expect(postgres).toEqual(sqlite);
  });
});
