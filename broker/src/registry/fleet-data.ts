/**
 * The units as shipped: the pilots of Plan 2050/KH-SGDDT (see /work/shared/MISSION.md), generated
 * deterministically so the same build always ships the same ids.
 *
 * - Item 13.2: STEM robot clubs at 54 units, 27 lower-secondary (THCS) and 27 upper-secondary (THPT).
 * - Item 4: modern lab centres at 4 THPT, 12 THCS and 12 primary schools.
 * - Item 2: smart-classroom pilots, one per district (22, Thu Duc City included) and 5 THPT.
 *   The plan does not say the level of the per-district pilots; primary and lower-secondary
 *   schools are run by the districts, so they alternate primary / lower-secondary by district.
 *   An admin corrects any of this through the registry (updateUnit), which audits the change.
 *
 * Units are spread over the districts round-robin, in the order MISSION.md lists them. School
 * names are PLACEHOLDERS ("Trường THCS Thí điểm Quận 1 số 1"), never a real school's name: the
 * real names come from the department when a unit is enrolled. Ids: `{level}-{district}-{nn}`
 * for robot clubs (e.g. `thcs-q1-01`), `lab-…` for lab centres and `sc-…` for smart classrooms,
 * nn numbering the placeholder schools of one level in one district (so a name is never shared).
 *
 * Gateways: one per unit, named after what it serves (`robot-club-1`, `lab-1`, `classroom-1`).
 * Equipment: none listed; the ledger learns devices from usage. An admin may list equipment so
 * that a device never used at all shows up as idle in the quarterly report.
 */
import type { Unit, UnitKind, UnitLevel } from './fleet.ts';

export interface District {
  /** Slug used in unit ids. */
  id: string;
  /** Without diacritics, as MISSION.md writes it. */
  en: string;
  vi: string;
  rural: boolean;
}

export const DISTRICTS: readonly District[] = [
  { id: 'q1', en: 'Quan 1', vi: 'Quận 1', rural: false },
  { id: 'q3', en: 'Quan 3', vi: 'Quận 3', rural: false },
  { id: 'q4', en: 'Quan 4', vi: 'Quận 4', rural: false },
  { id: 'q5', en: 'Quan 5', vi: 'Quận 5', rural: false },
  { id: 'q6', en: 'Quan 6', vi: 'Quận 6', rural: false },
  { id: 'q7', en: 'Quan 7', vi: 'Quận 7', rural: false },
  { id: 'q8', en: 'Quan 8', vi: 'Quận 8', rural: false },
  { id: 'q10', en: 'Quan 10', vi: 'Quận 10', rural: false },
  { id: 'q11', en: 'Quan 11', vi: 'Quận 11', rural: false },
  { id: 'q12', en: 'Quan 12', vi: 'Quận 12', rural: false },
  { id: 'binh-thanh', en: 'Binh Thanh', vi: 'Bình Thạnh', rural: false },
  { id: 'go-vap', en: 'Go Vap', vi: 'Gò Vấp', rural: false },
  { id: 'phu-nhuan', en: 'Phu Nhuan', vi: 'Phú Nhuận', rural: false },
  { id: 'tan-binh', en: 'Tan Binh', vi: 'Tân Bình', rural: false },
  { id: 'tan-phu', en: 'Tan Phu', vi: 'Tân Phú', rural: false },
  { id: 'binh-tan', en: 'Binh Tan', vi: 'Bình Tân', rural: false },
  { id: 'thu-duc', en: 'Thu Duc City', vi: 'Thành phố Thủ Đức', rural: false },
  { id: 'binh-chanh', en: 'Binh Chanh', vi: 'Bình Chánh', rural: true },
  { id: 'can-gio', en: 'Can Gio', vi: 'Cần Giờ', rural: true },
  { id: 'cu-chi', en: 'Cu Chi', vi: 'Củ Chi', rural: true },
  { id: 'hoc-mon', en: 'Hoc Mon', vi: 'Hóc Môn', rural: true },
  { id: 'nha-be', en: 'Nha Be', vi: 'Nhà Bè', rural: true },
];

export const LEVEL_NAMES: Record<UnitLevel, { code: string; vi: string; en: string }> = {
  primary: { code: 'th', vi: 'Tiểu học', en: 'Primary' },
  'lower-secondary': { code: 'thcs', vi: 'THCS', en: 'Lower-Secondary' },
  'upper-secondary': { code: 'thpt', vi: 'THPT', en: 'Upper-Secondary' },
};

const KIT_PREFIX: Record<UnitKind, string> = { 'robot-club': '', 'lab-centre': 'lab-', 'smart-classroom': 'sc-' };
const GATEWAY: Record<UnitKind, string> = { 'robot-club': 'robot-club-1', 'lab-centre': 'lab-1', 'smart-classroom': 'classroom-1' };

/** How a district is written in a placeholder name ("Quận 1", "Q1"; "Bình Thạnh"). */
function districtInName(d: District, lang: 'vi' | 'en'): string {
  if (lang === 'vi') return d.vi;
  return d.id.match(/^q\d+$/) ? d.id.toUpperCase() : d.en;
}

export function placeholderNames(level: UnitLevel, district: District, n: number): { vi: string; en: string } {
  const l = LEVEL_NAMES[level];
  return {
    vi: `Trường ${l.vi} Thí điểm ${districtInName(district, 'vi')} số ${n}`,
    en: `Pilot ${l.en} School ${districtInName(district, 'en')} No.${n}`,
  };
}

/** The pilot programmes: how many units of a kind and level, spread from which district on. */
const PROGRAMMES: ReadonlyArray<{ kind: UnitKind; level: UnitLevel; count: number; districts?: 'alternate' }> = [
  { kind: 'robot-club', level: 'lower-secondary', count: 27 },
  { kind: 'robot-club', level: 'upper-secondary', count: 27 },
  { kind: 'lab-centre', level: 'upper-secondary', count: 4 },
  { kind: 'lab-centre', level: 'lower-secondary', count: 12 },
  { kind: 'lab-centre', level: 'primary', count: 12 },
  // One per district; level alternates (see above). `level` here is ignored for this programme.
  { kind: 'smart-classroom', level: 'primary', count: DISTRICTS.length, districts: 'alternate' },
  { kind: 'smart-classroom', level: 'upper-secondary', count: 5 },
];

function generate(): Unit[] {
  const units: Unit[] = [];
  /** Placeholder schools numbered per level and district. */
  const schoolNo = new Map<string, number>();
  for (const p of PROGRAMMES) {
    for (let i = 0; i < p.count; i++) {
      const district = DISTRICTS[i % DISTRICTS.length] as District;
      const level: UnitLevel = p.districts === 'alternate' ? (i % 2 === 0 ? 'primary' : 'lower-secondary') : p.level;
      const key = `${level}/${district.id}`;
      const n = (schoolNo.get(key) ?? 0) + 1;
      schoolNo.set(key, n);
      const names = placeholderNames(level, district, n);
      units.push({
        id: `${KIT_PREFIX[p.kind]}${LEVEL_NAMES[level].code}-${district.id}-${String(n).padStart(2, '0')}`,
        kind: p.kind,
        level,
        district: district.id,
        name: names,
        placeholderName: true,
        gateways: [GATEWAY[p.kind]],
        equipment: [],
      });
    }
  }
  return units;
}

/** The units shipped with the product. */
export const FLEET: readonly Unit[] = Object.freeze(generate());
