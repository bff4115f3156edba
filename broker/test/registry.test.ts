/**
 * The fleet registry: the shipped units match Plan 2050/KH-SGDDT's pilots, use real districts
 * and placeholder school names only; edits on the central's state (SQLite and PostgreSQL) are
 * validated and audited.
 */
import { describe, expect, it } from 'vitest';
import {
  addUnit,
  DISTRICTS,
  FLEET,
  getUnit,
  listUnits,
  removeUnit,
  seedRegistry,
  unitAudit,
  unitSchema,
  updateUnit,
  type Unit,
} from '../src/registry/fleet.ts';
import { BACKENDS, eachCentralState } from './backends.ts';

const count = (pred: (u: Unit) => boolean) => FLEET.filter(pred).length;

describe('the shipped fleet', () => {
  it('has the 54 robot units (27 THCS + 27 THPT), the 28 lab centres (4 + 12 + 12) and the smart-classroom pilots (22 districts + 5 THPT)', () => {
    expect(count((u) => u.kind === 'robot-club')).toBe(54);
    expect(count((u) => u.kind === 'robot-club' && u.level === 'lower-secondary')).toBe(27);
    expect(count((u) => u.kind === 'robot-club' && u.level === 'upper-secondary')).toBe(27);
    expect(count((u) => u.kind === 'lab-centre')).toBe(28);
    expect(count((u) => u.kind === 'lab-centre' && u.level === 'upper-secondary')).toBe(4);
    expect(count((u) => u.kind === 'lab-centre' && u.level === 'lower-secondary')).toBe(12);
    expect(count((u) => u.kind === 'lab-centre' && u.level === 'primary')).toBe(12);
    expect(count((u) => u.kind === 'smart-classroom')).toBe(27);
    expect(count((u) => u.kind === 'smart-classroom' && u.level === 'upper-secondary')).toBe(5);
    // One per district, Thu Duc City included.
    const perDistrict = FLEET.filter((u) => u.kind === 'smart-classroom' && u.level !== 'upper-secondary').map((u) => u.district);
    expect(new Set(perDistrict).size).toBe(22);
    expect(perDistrict).toContain('thu-duc');
    expect(FLEET).toHaveLength(54 + 28 + 27);
  });

  it('uses the 22 districts of MISSION.md, each unit valid, ids unique, every district with a robot unit', () => {
    expect(DISTRICTS.map((d) => d.en)).toEqual([
      'Quan 1', 'Quan 3', 'Quan 4', 'Quan 5', 'Quan 6', 'Quan 7', 'Quan 8', 'Quan 10', 'Quan 11', 'Quan 12',
      'Binh Thanh', 'Go Vap', 'Phu Nhuan', 'Tan Binh', 'Tan Phu', 'Binh Tan', 'Thu Duc City',
      'Binh Chanh', 'Can Gio', 'Cu Chi', 'Hoc Mon', 'Nha Be',
    ]);
    expect(DISTRICTS.find((d) => d.id === 'go-vap')?.vi).toBe('Gò Vấp');
    const ids = new Set(DISTRICTS.map((d) => d.id));
    for (const u of FLEET) {
      expect(unitSchema.parse(u)).toEqual(u);
      expect(ids.has(u.district)).toBe(true);
    }
    expect(new Set(FLEET.map((u) => u.id)).size).toBe(FLEET.length);
    expect(new Set(FLEET.filter((u) => u.kind === 'robot-club').map((u) => u.district)).size).toBe(22);
    expect(FLEET.map((u) => u.id)).toContain('thcs-q1-01');
    expect(FLEET.find((u) => u.id === 'thcs-q1-01')).toMatchObject({ kind: 'robot-club', gateways: ['robot-club-1'] });
  });

  it('names no real school: every name is a placeholder, unique', () => {
    const vi = /^Trường (Tiểu học|THCS|THPT) Thí điểm (Quận \d+|Bình Thạnh|Gò Vấp|Phú Nhuận|Tân Bình|Tân Phú|Bình Tân|Thành phố Thủ Đức|Bình Chánh|Cần Giờ|Củ Chi|Hóc Môn|Nhà Bè) số \d+$/;
    const en = /^Pilot (Primary|Lower-Secondary|Upper-Secondary) School (Q\d+|Binh Thanh|Go Vap|Phu Nhuan|Tan Binh|Tan Phu|Binh Tan|Thu Duc City|Binh Chanh|Can Gio|Cu Chi|Hoc Mon|Nha Be) No\.\d+$/;
    for (const u of FLEET) {
      expect(u.name.vi).toMatch(vi);
      expect(u.name.en).toMatch(en);
      expect(u.placeholderName).toBe(true);
    }
    expect(new Set(FLEET.map((u) => u.name.vi)).size).toBe(FLEET.length);
    expect(FLEET.find((u) => u.id === 'thcs-q1-01')?.name).toEqual({ vi: 'Trường THCS Thí điểm Quận 1 số 1', en: 'Pilot Lower-Secondary School Q1 No.1' });
  });
});

describe.each(BACKENDS)('the registry in the central state on $backend', ({ backend, run }) => {
  const state = eachCentralState(backend, run);

  describe.runIf(run)('(service available)', () => {

    it('is seeded once from the shipped data, each unit audited', async () => {
      expect(await seedRegistry(state(), FLEET, { now: 1000 })).toBe(109);
      expect(await listUnits(state())).toHaveLength(109);
      expect(await getUnit(state(), 'thcs-q1-01')).toEqual(FLEET.find((u) => u.id === 'thcs-q1-01'));
      expect(await unitAudit(state(), 'thcs-q1-01')).toEqual([
        { id: expect.any(Number), at: 1000, actor: 'system:seed', action: 'seed', entity: 'unit', entityId: 'thcs-q1-01', before: null, after: await getUnit(state(), 'thcs-q1-01') },
      ]);
      // A removed unit is not brought back by the next start's seeding.
      await removeUnit(state(), 'thcs-q1-01', 'admin:lan');
      expect(await seedRegistry(state())).toBe(0);
      expect(await getUnit(state(), 'thcs-q1-01')).toBeUndefined();
    });

    it('records who changed what, when, before and after, for update, add and remove', async () => {
      await seedRegistry(state());
      const before = (await getUnit(state(), 'thpt-q3-01')) as Unit;
      const after = await updateUnit(state(), 'thpt-q3-01', { name: { vi: 'Trường THPT Thí điểm Quận 3 số 1 (cơ sở 2)', en: 'Pilot Upper-Secondary School Q3 No.1 (campus 2)' }, gateways: ['robot-club-1', 'robot-club-2'] }, 'admin:minh', { now: 2000 });
      expect(after).toMatchObject({ id: 'thpt-q3-01', gateways: ['robot-club-1', 'robot-club-2'] });
      expect(await getUnit(state(), 'thpt-q3-01')).toEqual(after);
      expect((await unitAudit(state(), 'thpt-q3-01')).at(-1)).toMatchObject({ at: 2000, actor: 'admin:minh', action: 'update', before, after });

      // A patch that changes nothing is not a change.
      const n = (await unitAudit(state())).length;
      await updateUnit(state(), 'thpt-q3-01', { level: 'upper-secondary' }, 'admin:minh');
      expect(await unitAudit(state())).toHaveLength(n);

      const unit: Unit = { ...before, id: 'thpt-nha-be-09', district: 'nha-be', name: { vi: 'Trường THPT Thí điểm Nhà Bè số 9', en: 'Pilot Upper-Secondary School Nha Be No.9' } };
      await addUnit(state(), unit, 'admin:minh', { now: 3000 });
      expect(await unitAudit(state(), 'thpt-nha-be-09')).toMatchObject([{ at: 3000, actor: 'admin:minh', action: 'add', before: null, after: unit }]);
      await expect(addUnit(state(), unit, 'admin:minh')).rejects.toThrow(/already exists/);

      await removeUnit(state(), 'thpt-nha-be-09', 'admin:hoa', { now: 4000 });
      expect(await getUnit(state(), 'thpt-nha-be-09')).toBeUndefined();
      expect((await unitAudit(state(), 'thpt-nha-be-09')).at(-1)).toMatchObject({ at: 4000, actor: 'admin:hoa', action: 'remove', before: unit, after: null });
    });

    it('refuses invalid edits and changes nothing', async () => {
      await seedRegistry(state());
      const n = (await unitAudit(state())).length;
      const before = await getUnit(state(), 'thcs-q1-01');
      await expect(updateUnit(state(), 'thcs-q1-01', { district: 'atlantis' }, 'admin:minh')).rejects.toThrow(/district/);
      await expect(updateUnit(state(), 'thcs-q1-01', { kind: 'spaceship' }, 'admin:minh')).rejects.toThrow(/kind/);
      await expect(updateUnit(state(), 'thcs-q1-01', { id: 'other' }, 'admin:minh')).rejects.toThrow(/invalid patch/);
      await expect(updateUnit(state(), 'thcs-q1-01', { equipment: [{ gateway: 'nope', kit: 'robot-1', component: null, type: 'kit' }] }, 'admin:minh')).rejects.toThrow(/equipment\[0\]\.gateway/);
      await expect(updateUnit(state(), 'thcs-q1-01', { gateways: [] }, 'admin:minh')).rejects.toThrow(/gateways/);
      await expect(updateUnit(state(), 'thcs-q1-01', { level: 'primary' }, '')).rejects.toThrow(/actor/);
      await expect(updateUnit(state(), 'no-such-unit', { level: 'primary' }, 'admin:minh')).rejects.toThrow(/no unit no-such-unit/);
      await expect(removeUnit(state(), 'no-such-unit', 'admin:minh')).rejects.toThrow(/no unit/);
      expect(await getUnit(state(), 'thcs-q1-01')).toEqual(before);
      expect(await unitAudit(state())).toHaveLength(n);
    });
  });
});
