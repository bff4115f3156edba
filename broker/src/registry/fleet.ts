/**
 * The fleet registry: every unit (school robot club, lab centre, smart classroom) with its level,
 * district, gateways and equipment. Shipped as data (fleet-data.ts), seeded once into the
 * ledger's `registry` table, then edited by an admin; every change lands in the `audit` table
 * (who, when, what: the unit before and after, as JSON) in the same transaction as the change.
 *
 * The functions take the ledger database (better-sqlite3); the tables come from the ledger's
 * migrations (ledger/schema.ts). Edits are rare and small: each runs in one IMMEDIATE transaction.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { DISTRICTS, FLEET } from './fleet-data.ts';

const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'a lowercase id such as thcs-q1-01');

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
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(unit)'}: ${i.message}`).join('; ');
    throw new RegistryError('INVALID_UNIT', `invalid unit: ${issues}`);
  }
  return r.data;
}

function checkActor(actor: string): void {
  if (typeof actor !== 'string' || actor.trim() === '') throw new RegistryError('INVALID_ACTOR', 'every registry change needs an actor (who makes it)');
}

function audit(db: Database, at: number, actor: string, action: string, id: string, before: Unit | null, after: Unit | null): void {
  db.prepare('INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    at,
    actor,
    action,
    ENTITY,
    id,
    before === null ? null : JSON.stringify(before),
    after === null ? null : JSON.stringify(after),
  );
}

function write(db: Database, unit: Unit, at: number): void {
  db.prepare(
    `INSERT INTO registry (id, kind, level, district, unit, updated_at) VALUES (@id, @kind, @level, @district, @unit, @at)
     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, level = excluded.level, district = excluded.district, unit = excluded.unit, updated_at = excluded.updated_at`,
  ).run({ id: unit.id, kind: unit.kind, level: unit.level, district: unit.district, unit: JSON.stringify(unit), at });
}

export function getUnit(db: Database, id: string): Unit | undefined {
  const row = db.prepare('SELECT unit FROM registry WHERE id = ?').pluck().get(id) as string | undefined;
  return row === undefined ? undefined : (JSON.parse(row) as Unit);
}

/** Every unit, by id. */
export function listUnits(db: Database): Unit[] {
  return (db.prepare('SELECT unit FROM registry ORDER BY id').pluck().all() as string[]).map((u) => JSON.parse(u) as Unit);
}

/**
 * Seeds the registry with the shipped units the first time (one audit row per unit, action
 * 'seed'). Runs once per database: after that the registry belongs to its admins, so a unit they
 * removed is not brought back by the next start. Returns how many units it added.
 */
export function seedRegistry(db: Database, units: readonly Unit[] = FLEET, options: EditOptions & { actor?: string } = {}): number {
  const at = options.now ?? Date.now();
  const actor = options.actor ?? 'system:seed';
  return db
    .transaction(() => {
      const seeded = db.prepare("SELECT 1 FROM audit WHERE entity = ? AND action = 'seed' LIMIT 1").get(ENTITY);
      if (seeded !== undefined) return 0;
      let added = 0;
      for (const u of units) {
        const unit = parseUnit(u);
        if (getUnit(db, unit.id) !== undefined) continue;
        write(db, unit, at);
        audit(db, at, actor, 'seed', unit.id, null, unit);
        added++;
      }
      return added;
    })
    .immediate();
}

export function addUnit(db: Database, input: unknown, actor: string, options: EditOptions = {}): Unit {
  checkActor(actor);
  const unit = parseUnit(input);
  const at = options.now ?? Date.now();
  db.transaction(() => {
    if (getUnit(db, unit.id) !== undefined) throw new RegistryError('UNIT_EXISTS', `unit ${unit.id} already exists; change it with updateUnit`);
    write(db, unit, at);
    audit(db, at, actor, 'add', unit.id, null, unit);
  }).immediate();
  return unit;
}

/** Applies a patch (validated as a whole unit afterwards); returns the unit as it now is. A patch that changes nothing is not audited. */
export function updateUnit(db: Database, id: string, patch: unknown, actor: string, options: EditOptions = {}): Unit {
  checkActor(actor);
  const p = unitPatchSchema.safeParse(patch);
  if (!p.success) throw new RegistryError('INVALID_UNIT', `invalid patch: ${p.error.issues.map((i) => `${i.path.join('.') || '(patch)'}: ${i.message}`).join('; ')}`);
  const at = options.now ?? Date.now();
  return db
    .transaction(() => {
      const before = getUnit(db, id);
      if (before === undefined) throw new RegistryError('UNIT_NOT_FOUND', `no unit ${id} in the registry`);
      const defined = Object.fromEntries(Object.entries(p.data).filter(([, v]) => v !== undefined));
      const after = parseUnit({ ...before, ...defined, id });
      if (JSON.stringify(after) === JSON.stringify(before)) return before;
      write(db, after, at);
      audit(db, at, actor, 'update', id, before, after);
      return after;
    })
    .immediate();
}

export function removeUnit(db: Database, id: string, actor: string, options: EditOptions = {}): Unit {
  checkActor(actor);
  const at = options.now ?? Date.now();
  return db
    .transaction(() => {
      const before = getUnit(db, id);
      if (before === undefined) throw new RegistryError('UNIT_NOT_FOUND', `no unit ${id} in the registry`);
      db.prepare('DELETE FROM registry WHERE id = ?').run(id);
      audit(db, at, actor, 'remove', id, before, null);
      return before;
    })
    .immediate();
}

/** The audit trail of units (of one unit if given), oldest first. */
export function unitAudit(db: Database, id?: string): AuditRow[] {
  const rows = db
    .prepare('SELECT * FROM audit WHERE entity = @entity AND (@id IS NULL OR entity_id = @id) ORDER BY id')
    .all({ entity: ENTITY, id: id ?? null }) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: r.id as number,
    at: r.at as number,
    actor: r.actor as string,
    action: r.action as string,
    entity: r.entity as string,
    entityId: r.entity_id as string,
    before: r.before === null ? null : (JSON.parse(r.before as string) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after as string) as unknown),
  }));
}

export { DISTRICTS, FLEET, LEVEL_NAMES, placeholderNames, type District } from './fleet-data.ts';
