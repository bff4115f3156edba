/**
 * Simulated time for a check run, so a student's flow runs faster than real time with its real
 * Node-RED timers (inject intervals, delay and trigger nodes, the palette's 200 ms motion
 * refresh, the agent's watchdog, Johnny-Five's sampling, the simulated board's reporting).
 *
 * Every timer and clock of the check process is faked (@sinonjs/fake-timers: setTimeout,
 * setInterval, Date, and process.hrtime and performance.now, which the delay node's rate limit
 * and Johnny-Five's piezo tones (nanotimer) time themselves by: real, they made a run's trace
 * depend on the machine's load), installed before Node-RED, Johnny-Five or the agent are loaded so none keeps a real
 * one. What is left real is what carries a message from one part to the next without waiting:
 * promises, process.nextTick and setImmediate (Node-RED's message delivery, the serialport
 * mock's reads). The check then drives the clock itself: advance the simulated time by one
 * step (firing every timer due in it), let the real event loop run a few turns so the
 * consequences of those timers travel (a message through the flow, a Firmata write to the
 * simulated board), step the world, and again. Nothing waits for real time, and the order of
 * events depends only on the simulated time: the same flow and seed give the same run.
 *
 * Loading Node-RED reads files (real I/O with no simulated time in it): `realTime()` lets the
 * simulated clock follow the wall clock while that happens.
 */
import FakeTimers from '@sinonjs/fake-timers';

const realSetImmediate = globalThis.setImmediate;
const realSetInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;
const realSetTimeout = globalThis.setTimeout;
const realPerformanceNow = performance.now.bind(performance);

/** Wall-clock milliseconds (performance.now() is simulated in a check process). */
export const realNow = (): number => realPerformanceNow();

export interface SimClock {
  /** Simulated milliseconds since the clock was installed. */
  now(): number;
  /** Follow the wall clock until the returned function is called. */
  realTime(): () => void;
  /** Advance `ms` of simulated time in steps of `stepMs`, calling `onStep(now)` after each. */
  run(ms: number, stepMs: number, onStep?: (now: number) => boolean | void): Promise<number>;
  /** Let the real event loop run `turns` times (messages travel, nothing is timed). */
  settle(turns?: number): Promise<void>;
  /** Wait real milliseconds (for real I/O), the simulated clock standing still. */
  realDelay(ms: number): Promise<void>;
}

/** Turns of the real event loop per step: a message crosses a few nodes and the serial link in one. */
const TURNS_PER_STEP = 3;
const EPOCH = Date.UTC(2026, 8, 7, 0, 30);

export function installSimClock(): SimClock {
  const clock = FakeTimers.install({ now: EPOCH, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'hrtime', 'performance'], loopLimit: 100_000 });
  const settle = async (turns = TURNS_PER_STEP) => {
    for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => realSetImmediate(resolve));
  };
  return {
    now: () => clock.now - EPOCH,
    realTime() {
      let last = realNow();
      const timer = realSetInterval(() => {
        const now = realNow();
        clock.tick(Math.max(0, Math.round(now - last)));
        last = now;
      }, 2);
      return () => realClearInterval(timer);
    },
    async run(ms, stepMs, onStep) {
      const end = clock.now + ms;
      while (clock.now < end) {
        clock.tick(Math.min(stepMs, end - clock.now));
        await settle();
        if (onStep?.(clock.now - EPOCH) === true) break;
      }
      return clock.now - EPOCH;
    },
    settle,
    realDelay: (ms) => new Promise((resolve) => realSetTimeout(resolve, ms)),
  };
}
