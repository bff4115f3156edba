/**
 * ingest/validate.ts's shortcuts give the schemas' answers: the plain telemetry reading checked
 * without zod, and usage events validated by validateUsage (where the ledger writes) as by validate.
 */
import { describe, expect, it } from 'vitest';
import { telemetrySchema, topics } from '@stemlab/protocol';
import { plainTelemetry, validate, validateUsage } from '../src/ingest/validate.ts';
import { GATEWAY, sessionStart, UNIT } from './helpers.ts';

describe('plainTelemetry', () => {
  const inputs: unknown[] = [
    { value: 1, at: 1_764_000_000_000 },
    { at: 5, value: { x: [1, 2] } },
    { value: null, at: 0 },
    { value: 'a', at: -0 },
    { value: 1, at: -1 },
    { value: 1, at: 1.5 },
    { value: 1, at: 2 ** 53 },
    { value: 1, at: '5' },
    { value: 1 },
    { at: 1 },
    { value: 1, at: 1, extra: true },
    JSON.parse('{"value": 1, "at": 1, "__proto__": {"x": 1}}'),
    [1, 2],
    null,
    'text',
    7,
  ];

  it.each(inputs.map((input) => [JSON.stringify(input), input]))('answers %s as the schema does', (_label, input) => {
    const plain = plainTelemetry(input);
    const r = telemetrySchema.safeParse(input);
    if (plain === undefined) return; // the schema decides
    expect(r.success).toBe(true);
    expect(plain).toStrictEqual(r.data);
    expect(Object.keys(plain)).toEqual(Object.keys(r.data as object));
  });

  it('takes the usual reading', () => {
    expect(plainTelemetry({ value: 3, at: 10 })).toEqual({ value: 3, at: 10 });
    expect(plainTelemetry({ value: 3, at: -1 })).toBeUndefined();
  });

  it('still dead-letters a bad reading with the schema\'s reason', () => {
    const verdict = validate(topics.telemetry(UNIT, GATEWAY, 'robot-1', 'sonar'), Buffer.from('{"value":1,"at":-1}'), false, Date.now());
    expect(verdict).toMatchObject({ kind: 'dead', reason: expect.stringMatching(/^telemetry fails the schema: at: /) });
  });
});

describe('validateUsage', () => {
  it('gives validate()\'s message or reason for the same payload', () => {
    const good = sessionStart(1);
    const receivedAt = Date.now();
    for (const text of [JSON.stringify(good), '{"v":1,', JSON.stringify({ ...good, seq: -1 }), JSON.stringify({ ...good, at: receivedAt + 86_400_000 })]) {
      const verdict = validate(topics.usage(UNIT, GATEWAY), Buffer.from(text), false, receivedAt);
      const r = validateUsage(UNIT, GATEWAY, text, receivedAt);
      if (verdict.kind === 'store') expect(r).toEqual({ message: verdict.message });
      else expect(r).toEqual({ reason: (verdict as { reason: string }).reason });
    }
  });
});
