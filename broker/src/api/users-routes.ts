/**
 * Who am I (`GET /api/v1/me`) and the admins' management of people's accounts: list, create,
 * change role or unit, disable (ending their sessions), enable, set a new password. Every change
 * is audited by users.ts with the admin as actor.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { getUnit } from '../registry/fleet.ts';
import { requireRole } from './auth.ts';
import type { RouteContext } from './context.ts';
import { ApiError } from './errors.ts';
import { parse } from './parse.ts';
import { createUser, getUser, listUsers, newUserSchema, roles, updateUser, UserError, userPatchSchema } from './users.ts';

const usernameParams = z.strictObject({ username: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'a username') });

export function registerUserRoutes(app: FastifyInstance, { db, now, log }: RouteContext): void {
  const assertUnitExists = async (unit: string | null | undefined) => {
    if (unit && !(await getUnit(db, unit))) throw new ApiError('BAD_REQUEST', `body field 'unit': no unit '${unit}' in the registry (GET /api/v1/units lists them)`);
  };

  app.get('/api/v1/me', async (request) => {
    const s = await requireRole(db, request, roles, now());
    return { username: s.username, role: s.role, unit: s.unit, expiresAt: new Date(s.expiresAt).toISOString() };
  });

  app.get('/api/v1/users', async (request) => {
    await requireRole(db, request, ['admin'], now());
    return { users: await listUsers(db) };
  });

  app.post('/api/v1/users', async (request, reply) => {
    const admin = await requireRole(db, request, ['admin'], now());
    const body = parse(newUserSchema, request.body, 'body field');
    await assertUnitExists(body.unit);
    if (await getUser(db, body.username)) throw new ApiError('CONFLICT', `body field 'username': '${body.username}' is taken; change that account with PATCH /api/v1/users/${body.username}`);
    const user = await createUser(db, body, admin.username, now());
    log?.info({ actor: admin.username, username: user.username, role: user.role, unit: user.unit }, 'account created');
    return reply.code(201).send({ user });
  });

  app.patch('/api/v1/users/:username', async (request) => {
    const admin = await requireRole(db, request, ['admin'], now());
    const { username } = parse(usernameParams, request.params, 'path parameter');
    const patch = parse(userPatchSchema, request.body, 'body field');
    await assertUnitExists(patch.unit);
    try {
      const user = await updateUser(db, username, patch, admin.username, now());
      // What changed, never the password itself.
      log?.info({ actor: admin.username, username, changed: Object.keys(patch) }, 'account changed');
      return { user };
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      if (err.code === 'USER_NOT_FOUND') throw new ApiError('NOT_FOUND', err.message);
      if (err.code === 'LAST_ADMIN') throw new ApiError('CONFLICT', err.message);
      throw new ApiError('BAD_REQUEST', `body field '${err.field ?? '(root)'}': ${err.message}`);
    }
  });
}
