/**
 * Which category a kit belongs to: robots, lab benches or smart-classroom equipment. A gateway
 * serves one room (the agent's `room`: robot-club, lab, classroom) and is named after it
 * (`robot-club-1`, `lab-1`, `classroom-1`: registry/fleet-data.ts), so its kits are that room's;
 * a gateway named otherwise takes its unit's kind (a lab centre's gateway serves lab benches).
 * A school with a robot club and a lab (the demo's thcs-q1-01) thus reports both, apart.
 */
import type { UnitKind } from '../registry/fleet.ts';
import type { Category } from './model.ts';

export const CATEGORIES: readonly Category[] = ['robots', 'lab', 'classroom'];

const BY_ROOM: ReadonlyArray<[prefix: string, category: Category]> = [
  ['robot-club', 'robots'],
  ['lab', 'lab'],
  ['classroom', 'classroom'],
];
const BY_KIND: Record<UnitKind, Category> = { 'robot-club': 'robots', 'lab-centre': 'lab', 'smart-classroom': 'classroom' };

export function categoryOf(gateway: string, unitKind: UnitKind | undefined): Category {
  for (const [prefix, category] of BY_ROOM) if (gateway === prefix || gateway.startsWith(`${prefix}-`)) return category;
  return unitKind ? BY_KIND[unitKind] : 'robots';
}
