/**
 * The fleet registry: every unit (school robot club, lab centre, smart classroom) with its level,
 * district, gateways and equipment. Shipped as data (fleet-data.ts), seeded once into the
 * `registry` table of the central's state, then edited by an admin; every change lands in the
 * `audit` table (who, when, what: the unit before and after, as JSON) in the same transaction as
 * the change.
 *
 * The functions take the central's state (central-state/state.ts: SQLite or the ledger's
 * PostgreSQL schema). Edits are rare and small: each is one transaction, serialized with every
 * other central's state changes.
 */
import { z } from 'zod';
import { describeIssues, idSchema } from '@stemlab/protocol';
import { stateChange, writeAudit, type CentralState } from '../central-state/state.ts';
import type { Queryable } from '../ledger/sql.ts';
import { DISTRICTS, FLEET } from './fleet-data.ts';

const slug = idSchema('id', 'thcs-q1-01');

export const unitKinds = ['robot-club', 'lab-centre', 'smart-classroom'] as const;
export const unitLevels = ['primary', 'lower-secondary', 'upper-secondary'] as const;
export type UnitKind = (typeof unitKinds)[number];
export type UnitLevel = (typeof unitLevels)[number];

export const districtIds = DISTRICTS.map((d) => d.id);

/** A piece of equipment a unit is known to have (optional: the ledger also learns devices from usage). */
export const equipmentSchema = z.strictObject({
  gateway: slug,
  kit: slug,
  /** null: the kit as a whole. */
  component: slug.nullable(),
  /** As in usage events: motor, servo, thermometer... or 'kit'. */
  type: z.string().min(1).max(40),
});
export type Equipment = z.infer<typeof equipmentSchema>;

export const unitSchema = z
  .strictObject({
    id: slug,
    kind: z.enum(unitKinds),
    level: z.enum(unitLevels),
    district: z.string().refine((d) => districtIds.includes(d), { message: `a district id: ${districtIds.join(', ')}` }),
    name: z.strictObject({ vi: z.string().trim().min(1).max(200), en: z.string().trim().min(1).max(200) }),
    /** True while the name is a placeholder ("Trường THCS Thí điểm Quận 1 số 1"), not the school's own. */
    placeholderName: z.boolean(),
    gateways: z.array(slug).min(1).max(50),
    equipment: z.array(equipmentSchema).max(10_000),
  })
  .superRefine((u, ctx) => {
    if (new Set(u.gateways).size !== u.gateways.length) ctx.addIssue({ code: 'custom', path: ['gateways'], message: 'gateway ids must be unique' });
    u.equipment.forEach((e, i) => {
      if (!u.gateways.includes(e.gateway)) {
        ctx.addIssue({ code: 'custom', path: ['equipment', i, 'gateway'], message: `not one of this unit's gateways (${u.gateways.join(', ')})` });
      }
    });
  });
export type Unit = z.infer<typeof unitSchema>;

/** What updateUnit may change: anything but the id. */
export const unitPatchSchema = z.strictObject({
  kind: z.enum(unitKinds).optional(),
  level: z.enum(unitLevels).optional(),
  district: z.string().optional(),
  name: z.strictObject({ vi: z.string(), en: z.string() }).optional(),
  placeholderName: z.boolean().optional(),
  gateways: z.array(z.string()).optional(),
  equipment: z.array(equipmentSchema).optional(),
});
export type UnitPatch = z.infer<typeof unitPatchSchema>;

export class RegistryError extends Error {
  constructor(
    readonly code: 'UNIT_EXISTS' | 'UNIT_NOT_FOUND' | 'INVALID_UNIT' | 'INVALID_ACTOR',
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

export interface EditOptions {
  /** When the change happened (ms since the epoch); now by default. */
  now?: number;
}

const ENTITY = 'unit';

function parseUnit(input: unknown): Unit {
  const r = unitSchema.safeParse(input);
  if (!r.success) {
    throw new RegistryError('INVALID_UNIT', `invalid unit: ${describeIssues(r.error, '(unit)')}`);
  }
  return r.data;
}

function checkActor(actor: string): void {
  if (typeof actor !== 'string' || actor.trim() === '') throw new RegistryError('INVALID_ACTOR', 'every registry change needs an actor (who makes it)');
}

function audit(tx: Queryable, at: number, actor: string, action: string, id: string, before: Unit | null, after: Unit | null): Promise<void> {
  return writeAudit(tx, { at, actor, action, entity: ENTITY, entityId: id, before, after });
}

async function write(tx: Queryable, unit: Unit, at: number): Promise<void> {
  await tx.run(
    `INSERT INTO registry (id, kind, level, district, unit, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, level = excluded.level, district = excluded.district, unit = excluded.unit, updated_at = excluded.updated_at`,
    [unit.id, unit.kind, unit.level, unit.district, JSON.stringify(unit), at],
  );
}

export async function getUnit(db: Queryable, id: string): Promise<Unit | undefined> {
  const row = await db.get<{ unit: string }>('SELECT unit FROM registry WHERE id = ?', [id]);
  return row === undefined ? undefined : (JSON.parse(row.unit) as Unit);
}

/** Every unit, by id. */
export async function listUnits(db: Queryable): Promise<Unit[]> {
  return (await db.query<{ unit: string }>('SELECT unit FROM registry ORDER BY id')).map((r) => JSON.parse(r.unit) as Unit);
}

/**
 * Seeds the registry with the shipped units the first time (one audit row per unit, action
 * 'seed'). Runs once per database: after that the registry belongs to its admins, so a unit they
 * removed is not brought back by the next start (nor by another central starting on the same
 * PostgreSQL schema). Returns how many units it added.
 */
export async function seedRegistry(db: CentralState, units: readonly Unit[] = FLEET, options: EditOptions & { actor?: string } = {}): Promise<number> {
  const at = options.now ?? Date.now();
  const actor = options.actor ?? 'system:seed';
  const parsed = units.map(parseUnit);
  return stateChange(db, async (tx) => {
    const seeded = await tx.get("SELECT 1 AS one FROM audit WHERE entity = ? AND action = 'seed' LIMIT 1", [ENTITY]);
    if (seeded !== undefined) return 0;
    let added = 0;
    for (const unit of parsed) {
      if ((await getUnit(tx, unit.id)) !== undefined) continue;
      await write(tx, unit, at);
      await audit(tx, at, actor, 'seed', unit.id, null, unit);
      added++;
    }
    return added;
  });
}

export async function addUnit(db: CentralState, input: unknown, actor: string, options: EditOptions = {}): Promise<Unit> {
  checkActor(actor);
  const unit = parseUnit(input);
  const at = options.now ?? Date.now();
  await stateChange(db, async (tx) => {
    if ((await getUnit(tx, unit.id)) !== undefined) throw new RegistryError('UNIT_EXISTS', `unit ${unit.id} already exists; change it with updateUnit`);
    await write(tx, unit, at);
    await audit(tx, at, actor, 'add', unit.id, null, unit);
  });
  return unit;
}

/** Applies a patch (validated as a whole unit afterwards); returns the unit as it now is. A patch that changes nothing is not audited. */
export async function updateUnit(db: CentralState, id: string, patch: unknown, actor: string, options: EditOptions = {}): Promise<Unit> {
  checkActor(actor);
  const p = unitPatchSchema.safeParse(patch);
  if (!p.success) throw new RegistryError('INVALID_UNIT', `invalid patch: ${describeIssues(p.error, '(patch)')}`);
  const at = options.now ?? Date.now();
  return stateChange(db, async (tx) => {
    const before = await getUnit(tx, id);
    if (before === undefined) throw new RegistryError('UNIT_NOT_FOUND', `no unit ${id} in the registry`);
    const defined = Object.fromEntries(Object.entries(p.data).filter(([, v]) => v !== undefined));
    const after = parseUnit({ ...before, ...defined, id });
    if (JSON.stringify(after) === JSON.stringify(before)) return before;
    await write(tx, after, at);
    await audit(tx, at, actor, 'update', id, before, after);
    return after;
  });
}

export async function removeUnit(db: CentralState, id: string, actor: string, options: EditOptions = {}): Promise<Unit> {
  checkActor(actor);
  const at = options.now ?? Date.now();
  return stateChange(db, async (tx) => {
    const before = await getUnit(tx, id);
    if (before === undefined) throw new RegistryError('UNIT_NOT_FOUND', `no unit ${id} in the registry`);
    await tx.run('DELETE FROM registry WHERE id = ?', [id]);
    await audit(tx, at, actor, 'remove', id, before, null);
    return before;
  });
}

/** The audit trail of units (of one unit if given), oldest first. */
export async function unitAudit(db: Queryable, id?: string): Promise<AuditRow[]> {
  // Typed cast: PostgreSQL cannot tell a bare `? IS NULL` parameter's type.
  const rows = await db.query('SELECT * FROM audit WHERE entity = ? AND (CAST(? AS TEXT) IS NULL OR entity_id = ?) ORDER BY id', [ENTITY, id ?? null, id ?? null]);
  return rows.map(toAuditRow);
}

/** An `audit` row as the API shows it (before/after parsed). */
export function toAuditRow(r: Record<string, unknown>): AuditRow {
  return {
    id: r.id as number,
    at: r.at as number,
    actor: r.actor as string,
    action: r.action as string,
    entity: r.entity as string,
    entityId: r.entity_id as string,
    before: r.before === null ? null : (JSON.parse(r.before as string) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after as string) as unknown),
  };
}

export { DISTRICTS, FLEET, LEVEL_NAMES, placeholderNames, type District } from './fleet-data.ts';
