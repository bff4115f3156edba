/** Who is asking: the session behind `Authorization: Bearer TOKEN`, and the role checks on it. */
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../ledger/sql.ts';
import { ApiError } from './errors.ts';
import { sessionOf, type Role, type Session } from './users.ts';

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const m = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

/** The caller's session if its role is one of `allowed`; throws UNAUTHENTICATED or FORBIDDEN. */
export async function requireRole(db: Queryable, request: FastifyRequest, allowed: readonly Role[], now: number): Promise<Session> {
  const token = bearerToken(request);
  const session = token === undefined ? undefined : await sessionOf(db, token, now);
  if (!session) throw new ApiError('UNAUTHENTICATED', 'log in at POST /api/v1/login and send the token as `Authorization: Bearer TOKEN` (sessions expire)');
  if (!allowed.includes(session.role)) throw new ApiError('FORBIDDEN', `role '${session.role}' may not do this (allowed: ${allowed.join(', ')})`);
  return session;
}

/** Teachers and technicians see only their own unit. */
export function unitScoped(session: Session): boolean {
  return session.role === 'teacher' || session.role === 'technician';
}
