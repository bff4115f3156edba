import { describe, expect, it } from 'vitest';
import { EstopBoard } from '../src/live/estops.ts';

const topic = 'stemlab/v1/thcs-q1-01/robot-club-1/state';
const clock = { synced: true, bootId: 'b1', uptimeMs: 1000 };
const state = (status: 'online' | 'offline', estop?: { latched: boolean; at?: number; source?: string }) => JSON.stringify({ status, bdSeq: 1, at: 1000, clock, ...(estop ? { estop } : {}) });

describe('EstopBoard: the latch as the retained states tell it', () => {
  it('latches on a birth that says so, keeps it through a will, clears it on a reset or a cleared retained state', () => {
    const board = new EstopBoard();
    const changes: unknown[] = [];
    board.onChange((c) => changes.push(c));
    expect(board.observe(topic, state('online', { latched: false }))).toBe(false); // free, as it was
    expect(board.observe(topic, state('online', { latched: true, at: 5000, source: 'console' }))).toBe(true);
    expect(board.latched()).toEqual([{ unit: 'thcs-q1-01', gateway: 'robot-club-1', estop: { latched: true, at: 5000, source: 'console' } }]);
    // The same birth again (a reconnect): no new change.
    expect(board.observe(topic, state('online', { latched: true, at: 5000, source: 'console' }))).toBe(false);
    // A will says nothing of the latch: kept.
    expect(board.observe(topic, state('offline'))).toBe(false);
    expect(board.get('thcs-q1-01', 'robot-club-1')?.latched).toBe(true);
    expect(board.observe(topic, state('online', { latched: false, at: 9000, source: 'teacher' }))).toBe(true);
    expect(board.latched()).toEqual([]);
    board.observe(topic, state('online', { latched: true, at: 10_000 }));
    expect(board.observe(topic, '')).toBe(true);
    expect(board.get('thcs-q1-01', 'robot-club-1')).toBeUndefined();
    expect(changes).toHaveLength(4);
  });

  it('takes a birth without the field (an older agent) as not latched, and ignores what is not a gateway state', () => {
    const board = new EstopBoard();
    board.observe(topic, state('online', { latched: true }));
    expect(board.observe(topic, state('online'))).toBe(true);
    expect(board.get('thcs-q1-01', 'robot-club-1')).toEqual({ latched: false, at: null, source: null });
    expect(board.observe(topic, '{not json')).toBe(false);
    expect(board.observe(topic, JSON.stringify({ status: 'online', estop: { latched: 'yes' } }))).toBe(false);
    expect(board.observe('stemlab/v1/thcs-q1-01/robot-club-1/kit/robot-1/state', state('online', { latched: true }))).toBe(false);
    expect(board.latched()).toEqual([]);
  });
});
