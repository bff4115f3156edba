// The one id rule and the one way zod's issues are written for people.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues, fieldIssues, idSchema, isId, issuePath, listIssues } from '../src/index.ts';

describe('ids', () => {
  it.each(['a', '0', 'robot-1', 'thcs-q1-01', 'a'.repeat(64), 'a-b-c'])('takes %s', (id) => {
    expect(isId(id)).toBe(true);
    expect(idSchema().parse(id)).toBe(id);
  });

  it.each(['', 'A', 'robot_1', 'robot 1', 'a/b', 'a+b', 'a#', '-a', 'a-', 'a'.repeat(65), 'rô-bốt'])('refuses %j', (id) => {
    expect(isId(id)).toBe(false);
    expect(idSchema().safeParse(id).success).toBe(false);
  });

  it('says what was given, the rule and why, naming the kind of id', () => {
    const r = idSchema('unit id', 'thcs-q1-01').safeParse('Q1');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe(
      `"Q1" is not a valid unit id; use lowercase letters, digits and '-' (at most 64, e.g. 'thcs-q1-01'), because it becomes an MQTT topic segment`,
    );
    expect(idSchema('kit id').safeParse(undefined).error?.issues[0]?.message).toBe("required: a kit id such as 'robot-1'");
    expect(idSchema('kit id').safeParse(7).error?.issues[0]?.message).toBe("kit id must be a string such as 'robot-1'");
  });
});

describe('issues', () => {
  const schema = z.strictObject({
    mqtt: z.strictObject({ port: z.number().int().max(65535) }),
    kits: z.array(z.strictObject({ id: idSchema('kit id') })),
  });
  const error = schema.safeParse({ mqtt: { port: 70000, hots: 'x' }, kits: [{ id: 'ok' }, { id: 'Bad' }], extra: 1 }).error!;

  it('writes paths as zod does', () => {
    expect(issuePath(['kits', 2, 'components', 1, 'pin'])).toBe('kits[2].components[1].pin');
    expect(issuePath([])).toBe('');
    expect(issuePath(['labels', 'a b'])).toBe('labels["a b"]');
  });

  it('gives one issue per field, each unknown key named whole', () => {
    expect(fieldIssues(error, 'unknown field')).toEqual([
      { path: 'mqtt.port', message: expect.stringMatching(/65535/) },
      { path: 'mqtt.hots', message: 'unknown field' },
      { path: 'kits[1].id', message: expect.stringMatching(/^"Bad" is not a valid kit id/) },
      { path: 'extra', message: 'unknown field' },
    ]);
  });

  it('puts them on one line, naming a whole-value issue', () => {
    expect(describeIssues(error)).toMatch(/^mqtt\.port: .*; mqtt\.hots: unknown field; check its spelling and place; kits\[1\]\.id: "Bad" .*; extra: unknown field/);
    expect(describeIssues(z.number().safeParse('x').error!, '(payload)')).toMatch(/^\(payload\): /);
  });

  it('lists them one a line under a head for config errors', () => {
    expect(listIssues('config x is invalid:', [{ path: '', message: 'no such file' }, { path: 'a.b', message: 'too big' }])).toBe('config x is invalid:\n  no such file\n  a.b: too big');
  });
});
