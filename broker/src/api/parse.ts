/** Request validation: one zod parse whose failure is a BAD_REQUEST naming the first bad field. */
import type { z } from 'zod';
import { ApiError } from './errors.ts';

/** Parses with zod or throws BAD_REQUEST naming the first bad field (`where` says body or query). */
export function parse<T extends z.ZodType>(schema: T, input: unknown, where: string): z.output<T> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(root)';
  throw new ApiError('BAD_REQUEST', `${where} '${field}': ${issue?.message ?? 'invalid'}`);
}
