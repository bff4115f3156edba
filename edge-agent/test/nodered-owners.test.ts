// A tab's owners as the guard reads and writes them (owners.ts), without Node-RED: the stamp
// written before team tabs (one name) reads as one owner, a team's as all its members.
import { describe, expect, it } from 'vitest';
import { ownersOf, owns, sameOwners, withOwners } from '../src/nodered/owners.ts';
import { OWNER_ENV } from '../src/nodered/policy.ts';

const tab = (...values: unknown[]) => ({ id: 't', type: 'tab', env: [{ name: 'LESSON', type: 'str', value: 'x' }, ...values.map((value) => ({ name: OWNER_ENV, type: 'str', value }))] });

describe("a tab's owners", () => {
  it('reads one name (as every tab was stamped before team tabs), a list, and none (the teacher\'s)', () => {
    expect(ownersOf(tab('student-3'))).toEqual(['student-3']);
    expect(ownersOf(tab('student-1,student-2, student-4 ,'))).toEqual(['student-1', 'student-2', 'student-4']);
    expect(ownersOf(tab())).toEqual([]);
    expect(ownersOf(tab(''))).toEqual([]);
    expect(ownersOf(tab(42))).toEqual([]);
    expect(ownersOf({ id: 't', type: 'tab' })).toEqual([]);
    expect(ownersOf(undefined)).toEqual([]);
    // Every entry counts: a second one cannot hide an owner from the guard.
    expect(ownersOf(tab('student-1', 'student-5,student-1'))).toEqual(['student-1', 'student-5']);
  });

  it('owns: a member of the list, never a prefix or a part of a name', () => {
    const team = tab('student-1,student-12');
    expect(owns(team, 'student-1')).toBe(true);
    expect(owns(team, 'student-12')).toBe(true);
    expect(owns(team, 'student-2')).toBe(false);
    expect(owns(team, 'student-1,student-12')).toBe(false);
    expect(owns(tab(), 'teacher')).toBe(false);
  });

  it('writes one entry naming them all, keeping the other env entries; none for the teacher\'s', () => {
    const stamped = withOwners(tab('student-9', 'student-8'), ['student-1', 'student-2', 'student-1']);
    expect(stamped.env).toEqual([{ name: 'LESSON', type: 'str', value: 'x' }, { name: OWNER_ENV, type: 'str', value: 'student-1,student-2' }]);
    expect(withOwners(tab('student-9'), []).env).toEqual([{ name: 'LESSON', type: 'str', value: 'x' }]);
    expect(sameOwners(['student-1', 'student-2'], ['student-2', 'student-1'])).toBe(true);
    expect(sameOwners(['student-1'], ['student-1', 'student-2'])).toBe(false);
    expect(sameOwners(['student-1', 'student-1'], ['student-1', 'student-2'])).toBe(false);
  });
});
