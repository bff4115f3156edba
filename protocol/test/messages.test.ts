// The payload schemas: what a gateway sends is taken, what breaks the contract is refused with
// the field named.
import { describe, expect, it } from 'vitest';
import { commandReplySchema, commandRequestSchema, commandSchemas, describeIssues, gatewayCommands, gatewayStateSchema, kitStateSchema, telemetrySchema, usageEventSchema } from '../src/index.ts';

const clock = { synced: true, bootId: 'boot-1', uptimeMs: 1234 };
const at = 1_780_000_000_000;
const base = { v: 1, eventId: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', seq: 1, at, clock } as const;
const device = { kit: 'robot-1', component: 'left-motor', type: 'motor' };
const purpose = { kind: 'lesson', lessonId: 'line' } as const;
const sessionId = '0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d';

describe('payloads', () => {
  it('takes a birth and a will, with or without the outbox figures', () => {
    expect(gatewayStateSchema.parse({ status: 'online', bdSeq: 3, at, clock, outbox: { pending: 0, evicted: 0 }, agent: { version: '0.1.0' } }).status).toBe('online');
    expect(gatewayStateSchema.parse({ status: 'offline', bdSeq: 3, at, clock }).bdSeq).toBe(3);
    expect(describeIssues(gatewayStateSchema.safeParse({ status: 'gone', bdSeq: -1, at, clock }).error!)).toMatch(/^status: .*; bdSeq: /);
  });

  it('takes the three usage events and tells them apart by type', () => {
    const start = { ...base, type: 'session.start', device, session: { id: sessionId, startedAt: at, purpose } };
    const end = {
      ...base,
      seq: 2,
      type: 'session.end',
      device,
      session: { id: sessionId, startedAt: at, endedAt: at + 5000, durationMs: 5000, purpose, counts: { activations: 2, motorMs: 4000, readings: 0 }, faults: 0, endReason: 'idle' },
    };
    const evicted = { ...base, seq: 9, type: 'outbox.evicted', evicted: { count: 3, fromSeq: 3, toSeq: 5, reason: 'size' } };
    expect([start, end, evicted].map((e) => usageEventSchema.parse(e).type)).toEqual(['session.start', 'session.end', 'outbox.evicted']);
    // the ledger relies on these: seq from 1, a uuid event id, counts never negative, a known version
    expect(describeIssues(usageEventSchema.safeParse({ ...start, seq: 0 }).error!)).toMatch(/^seq: /);
    expect(describeIssues(usageEventSchema.safeParse({ ...start, eventId: 'x' }).error!)).toMatch(/^eventId: /);
    expect(describeIssues(usageEventSchema.safeParse({ ...start, v: 2 }).error!)).toMatch(/^v: /);
    expect(describeIssues(usageEventSchema.safeParse({ ...end, session: { ...end.session, counts: { activations: -1, motorMs: 0, readings: 0 } } }).error!)).toMatch(/^session\.counts\.activations: /);
    expect(describeIssues(usageEventSchema.safeParse({ ...start, type: 'session.pause' }).error!)).toMatch(/^type: /);
    expect(describeIssues(usageEventSchema.safeParse({ ...start, device: { ...device, kit: 'Robot 1' } }).error!)).toMatch(/^device\.kit: "Robot 1" is not a valid id/);
    expect(describeIssues(usageEventSchema.safeParse({ ...start, extra: true }).error!)).toBe('extra: unknown field; check its spelling and place');
  });

  it('takes kit states and telemetry', () => {
    expect(kitStateSchema.parse({ state: 'fault', reason: 'no reply', at, clock }).state).toBe('fault');
    expect(kitStateSchema.safeParse({ state: 'broken', at, clock }).success).toBe(false);
    expect(telemetrySchema.parse({ value: { cm: 12 }, at }).value).toEqual({ cm: 12 });
    expect(telemetrySchema.safeParse({ value: 1 }).success).toBe(false);
  });

  it('wraps commands in a request with an id that the reply repeats', () => {
    expect(commandRequestSchema.parse({ requestId: 'r1', args: { source: 'teacher' }, expiresAt: at }).requestId).toBe('r1');
    expect(commandRequestSchema.safeParse({ requestId: '' }).success).toBe(false);
    expect(commandReplySchema.parse({ requestId: 'r1', status: 'ok', result: { done: true } }).status).toBe('ok');
    expect(commandReplySchema.parse({ requestId: 'r1', status: 'error', code: 'ESTOP_LATCHED', message: 'latched' }).status).toBe('error');
    expect(commandReplySchema.safeParse({ requestId: 'r1', status: 'error' }).success).toBe(false);
  });

  it('checks each gateway command\'s arguments', () => {
    expect(gatewayCommands.estop.parse(undefined)).toBeUndefined();
    expect(gatewayCommands['lesson-deploy'].parse({ lesson: 'line' })).toEqual({ lesson: 'line', variant: 'starter' });
    expect(gatewayCommands['lesson-deploy'].safeParse({ lesson: 'line', variant: 'answer' }).success).toBe(false);
    expect(gatewayCommands['session-start'].safeParse({ purpose: { kind: 'party' } }).success).toBe(false);
    expect(gatewayCommands.component.parse({ kit: 'robot-1', component: 'led', command: { action: 'on' } }).kit).toBe('robot-1');
  });

  it('has one command schema per component type', () => {
    expect(commandSchemas.led.parse({ action: 'on' })).toEqual({ action: 'on' });
    expect(commandSchemas.motor.safeParse({ action: 'fly' }).success).toBe(false);
    expect(commandSchemas.servo.safeParse({ action: 'to' }).success).toBe(false);
  });
});
