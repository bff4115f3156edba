/**
 * A tab's owners: the students who may change, deploy and delete it and press its buttons.
 * They are stamped in the tab's `env` as one `STEMLAB_OWNER` entry whose value is the account
 * names separated by commas: `student-4` for a student's own tab, `student-1,student-2,student-3`
 * for a club team's tab (every member works on the team's robot). A tab without the entry is
 * the teacher's. Account names never hold a comma (policy.ts STUDENT_NAME), and a value with a
 * single name, as every tab was stamped before team tabs, reads as a list of one: flows
 * deployed before keep their owner.
 *
 * Every rule asks `owns(tab, student)`; only the teacher changes who owns a tab (guard.ts,
 * ownership.ts refuse a student's deploy that changes the list).
 */
import { OWNER_ENV } from './policy.ts';

export interface EnvEntry {
  name: string;
  type?: string;
  value?: unknown;
}

/**
 * The students a tab belongs to, in the order stamped; [] for the teacher's (or no tab). Every
 * `STEMLAB_OWNER` entry counts (an editor may send two): what the guard judges is never less
 * than what any reader of the tab sees.
 */
export function ownersOf(tab: object | undefined): string[] {
  const env = (tab as { env?: unknown } | undefined)?.env;
  if (!Array.isArray(env)) return [];
  const owners: string[] = [];
  for (const entry of env as EnvEntry[]) {
    if (entry?.name !== OWNER_ENV || typeof entry.value !== 'string') continue;
    for (const name of entry.value.split(',')) {
      const owner = name.trim();
      if (owner !== '' && !owners.includes(owner)) owners.push(owner);
    }
  }
  return owners;
}

/** Whether `student` is one of the tab's owners: the one question every rule asks. */
export function owns(tab: object | undefined, student: string): boolean {
  return ownersOf(tab).includes(student);
}

/** Whether two owner lists name the same students (in any order). */
export function sameOwners(a: readonly string[], b: readonly string[]): boolean {
  const [left, right] = [new Set(a), new Set(b)];
  return left.size === right.size && [...left].every((name) => right.has(name));
}

/** A copy of `tab` whose env names exactly `owners` (one entry; none for the teacher's). */
export function withOwners<T extends object>(tab: T, owners: readonly string[]): T {
  const before = (tab as { env?: unknown }).env;
  const env = Array.isArray(before) ? (before as EnvEntry[]).filter((e) => e?.name !== OWNER_ENV) : [];
  const names = [...new Set(owners)];
  return { ...tab, env: names.length > 0 ? [...env, { name: OWNER_ENV, type: 'str', value: names.join(',') }] : env };
}

/** The owners as the refusals name them: "student-1" or "student-1, student-2". */
export function ownerNames(owners: readonly string[]): string {
  return owners.join(', ');
}
