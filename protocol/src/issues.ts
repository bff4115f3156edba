/**
 * zod's issues as people read them, one way for every package: each names the field (written as
 * zod writes paths, `kits[0].components[1].pin`) and says the problem. Configs list them one a
 * line; payloads, commands and HTTP requests put them on one line (`path: message; ...`).
 */
import { z } from 'zod';

export interface FieldIssue {
  /** The field, e.g. `mqtt.port` or `kits[0].id`; '' for the value as a whole. */
  path: string;
  message: string;
}

/** A zod path as text: `session.counts.motorMs`, `kits[0].components[1]`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return z.core.toDotPath(path as PropertyKey[]);
}

/**
 * One issue per field. An unknown key becomes an issue of its own that names it whole
 * (`mqtt.hots: unknown field...`), where zod puts every unknown key of an object in one issue.
 */
export function fieldIssues(error: z.ZodError, unknownKey = 'unknown field; check its spelling and place'): FieldIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: issuePath([...issue.path, key]), message: unknownKey }))
      : [{ path: issuePath(issue.path), message: issue.message }],
  );
}

/** Every issue on one line, `path: message; path: message`; `whole` names a root-level issue's field. */
export function describeIssues(error: z.ZodError, whole = '(root)'): string {
  return fieldIssues(error)
    .map((issue) => `${issue.path === '' ? whole : issue.path}: ${issue.message}`)
    .join('; ');
}

/** A config error's text: the head line, then one indented line per issue. */
export function listIssues(head: string, issues: readonly FieldIssue[]): string {
  return [head, ...issues.map((issue) => `  ${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`)].join('\n');
}
