import type { EventEmitter } from 'node:events';
import type { PinState, SimulatedBoard } from '../../src/index.ts';

/** Resolve with the first pin change on `pin` that satisfies `test`, or fail after `timeoutMs`. */
export function pinChange(board: SimulatedBoard, pin: number, test: (state: PinState) => boolean = () => true, timeoutMs = 3000): Promise<PinState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      board.off('pin', listener);
      reject(new Error(`pin ${pin}: no matching change within ${timeoutMs} ms (now ${JSON.stringify(board.pinState(pin))})`));
    }, timeoutMs);
    const listener = (state: PinState) => {
      if (state.pin !== pin || !test(state)) return;
      clearTimeout(timer);
      board.off('pin', listener);
      resolve(state);
    };
    board.on('pin', listener);
  });
}

/**
 * Resolve with the first argument of the next `event` on an emitter, or fail after `timeoutMs`.
 * Takes any object because Johnny-Five's components are EventEmitters its types do not admit.
 */
export function nextEvent<T = unknown>(target: object, event: string, timeoutMs = 3000): Promise<T> {
  const emitter = target as EventEmitter;
  return new Promise((resolve, reject) => {
    const listener = (value: T) => {
      clearTimeout(timer);
      resolve(value);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.once(event, listener);
  });
}
