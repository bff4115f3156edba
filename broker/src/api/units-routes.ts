/**
 * The fleet over HTTP: every unit with its gateways' presence, one unit in full (teachers and
 * technicians: only their own), and the admins' edits of the registry (add, change, remove, each
 * audited by registry/fleet.ts with the admin as actor) and the audit trail.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idSchema } from '@stemlab/protocol';
import { addUnit, DISTRICTS, getUnit, listUnits, removeUnit, unitPatchSchema, unitSchema, updateUnit } from '../registry/fleet.ts';
import { auditQuerySchema, queryAudit } from './audit-log.ts';
import { requireRole, unitScoped } from './auth.ts';
import type { RouteContext } from './context.ts';
import { ApiError } from './errors.ts';
import { fleetStatus, unitDetail } from './fleet-status.ts';
import { parse } from './parse.ts';
import { roles, unitMembers } from './users.ts';

const idParams = z.strictObject({ id: idSchema('unit id', 'thcs-q1-01') });

export function registerUnitRoutes(app: FastifyInstance, { db, ledger, now, log, silentAfterDays, estops }: RouteContext): void {
  const existing = async (id: string) => {
    const unit = await getUnit(db, id);
    if (!unit) throw new ApiError('NOT_FOUND', `no unit '${id}' in the registry`);
    return unit;
  };

  app.get('/api/v1/units', async (request) => {
    const session = await requireRole(db, request, roles, now());
    const units = (await listUnits(db)).filter((u) => !unitScoped(session) || u.id === session.unit);
    // The districts' names come along so that clients show them in either language.
    return { units: await fleetStatus(ledger, units, { now: now(), silentAfterDays, estops }), districts: DISTRICTS };
  });

  app.get('/api/v1/units/:id', async (request) => {
    const session = await requireRole(db, request, roles, now());
    const { id } = parse(idParams, request.params, 'path parameter');
    if (unitScoped(session) && id !== session.unit) throw new ApiError('FORBIDDEN', `a ${session.role} sees only unit '${session.unit ?? ''}'`);
    return { unit: await unitDetail(ledger, await existing(id), { now: now(), silentAfterDays, estops }), districts: DISTRICTS };
  });

  app.post('/api/v1/units', async (request, reply) => {
    const admin = await requireRole(db, request, ['admin'], now());
    // A new unit's name is its own and its equipment is learnt from usage unless listed.
    const body = request.body !== null && typeof request.body === 'object' ? { placeholderName: false, equipment: [], ...request.body } : request.body;
    const unit = parse(unitSchema, body, 'body field');
    if (await getUnit(db, unit.id)) throw new ApiError('CONFLICT', `body field 'id': unit '${unit.id}' exists; change it with PATCH /api/v1/units/${unit.id}`);
    const added = await addUnit(db, unit, admin.username, { now: now() });
    log?.info({ actor: admin.username, unit: unit.id }, 'unit added');
    return reply.code(201).send({ unit: added });
  });

  app.patch('/api/v1/units/:id', async (request) => {
    const admin = await requireRole(db, request, ['admin'], now());
    const { id } = parse(idParams, request.params, 'path parameter');
    const patch = parse(unitPatchSchema, request.body, 'body field');
    // Checked as a whole unit here too, so that the error names the field of the body.
    parse(unitSchema, { ...(await existing(id)), ...patch, id }, 'body field');
    const unit = await updateUnit(db, id, patch, admin.username, { now: now() });
    log?.info({ actor: admin.username, unit: id, changed: Object.keys(patch) }, 'unit changed');
    return { unit };
  });

  app.delete('/api/v1/units/:id', async (request) => {
    const admin = await requireRole(db, request, ['admin'], now());
    const { id } = parse(idParams, request.params, 'path parameter');
    await existing(id);
    const members = await unitMembers(db, id);
    if (members.length > 0) throw new ApiError('CONFLICT', `unit '${id}' still has accounts (${members.join(', ')}): move or disable them first`);
    const unit = await removeUnit(db, id, admin.username, { now: now() });
    log?.info({ actor: admin.username, unit: id }, 'unit removed');
    return { unit };
  });

  app.get('/api/v1/audit', async (request) => {
    await requireRole(db, request, ['admin'], now());
    return { entries: await queryAudit(db, parse(auditQuerySchema, request.query, 'query parameter')) };
  });
}
