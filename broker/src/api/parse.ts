/** Request validation: one zod parse whose failure is a BAD_REQUEST naming the first bad field. */
import type { z } from 'zod';
import { fieldIssues } from '@stemlab/protocol';
import { ApiError } from './errors.ts';

/** Parses with zod or throws BAD_REQUEST naming the first bad field (`where` says body or query). */
export function parse<T extends z.ZodType>(schema: T, input: unknown, where: string): z.output<T> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = fieldIssues(r.error)[0];
  throw new ApiError('BAD_REQUEST', `${where} '${issue?.path || '(root)'}': ${issue?.message ?? 'invalid'}`);
}
