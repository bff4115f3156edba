/**
 * Plays a planned quarter (plan.ts) on a simulated clock: every gateway's happenings in time
 * order, each applied by the gateway's twin (a real MQTT client with the agent's outbox: the
 * composition root builds it, cli/fleet/). Time does not flow by itself: the clock is set to each
 * happening's time, so the whole fleet and a central sharing the clock (Ingest's `now`) see one
 * consistent quarter. `speed` paces it against real time (simulated ms per real ms); Infinity
 * plays it as fast as the machine can.
 *
 * Usage events flow freely (their times are in the events; arrival only orders them), but a
 * gateway's link changes are settled before the clock moves on (`FleetTwin.apply` resolves once
 * the central has seen the connect or the loss): presence, and the clock corrections learned
 * from births, are then exact to the millisecond.
 */
import type { FleetPlan, GatewaySpec, Happening } from './model.ts';

/** The simulated clock the fleet (and an in-process central) read. */
export class SimClock {
  private t: number;
  constructor(start: number) {
    this.t = start;
  }
  now = (): number => this.t;
  set(t: number): void {
    if (t > this.t) this.t = t;
  }
}

/** One simulated gateway, as the composition root builds it. */
export interface FleetTwin {
  /** Usage, kit-state, boot and NTP happenings apply at once; link changes resolve when settled. */
  apply(h: Happening): void | Promise<void>;
  /** Usage events waiting in its outbox. */
  pending(): number;
  close(): Promise<void>;
}

export interface RunOptions {
  clock: SimClock;
  openTwin: (spec: GatewaySpec) => Promise<FleetTwin>;
  /** Simulated ms per real ms; Infinity (default): as fast as possible. */
  speed?: number;
  /** Pace from this simulated time on (what comes before is played at once): a soak starts on a school morning. */
  paceFrom?: number;
  /** Stop at this simulated time (the plan's end by default). */
  until?: number;
  /** Most usage events waiting in all outboxes before the simulation waits for them (default 20,000). */
  maxPending?: number;
  /** Called once, as the first happening after paceFrom comes (or the plan ends before one): what came before is played. */
  onCaughtUp?: (progress: { t: number; happenings: number }) => void;
  /** Called every simulated day. */
  onDay?: (progress: { t: number; happenings: number; pending: number }) => void;
  signal?: AbortSignal;
}

export interface RunResult {
  happenings: number;
  realMs: number;
  twins: FleetTwin[];
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Sleeps; an abort ends the sleep at once (a paced run may wait hours for its next happening). */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** Plays the plan; the twins stay open (the caller closes them after reading the ledger). */
export async function runFleet(plan: FleetPlan, options: RunOptions): Promise<RunResult> {
  const speed = options.speed ?? Infinity;
  const maxPending = options.maxPending ?? 20_000;
  const twins: FleetTwin[] = [];
  for (const g of plan.gateways) twins.push(await options.openTwin(g.spec));
  // Every happening with its gateway, in time order (ties: gateway, then the gateway's own order).
  const all: Array<{ h: Happening; g: number; i: number }> = [];
  plan.gateways.forEach((g, gi) => g.happenings.forEach((h, i) => all.push({ h, g: gi, i })));
  all.sort((a, b) => a.h.t - b.h.t || a.g - b.g || a.i - b.i);

  const realStart = performance.now();
  const pendingAll = () => twins.reduce((a, t) => a + t.pending(), 0);
  let nextDay = plan.from + 86_400_000;
  const paceFrom = options.paceFrom ?? plan.from;
  const until = options.until ?? plan.to;
  let played = 0;
  let caughtUp = false;
  // Pacing starts when what comes before paceFrom is played: simulated time then runs at `speed`
  // from there, however long the catching up took (a demo's central would otherwise get events
  // from its future).
  let paceStart = realStart;
  const catchUp = (t: number) => {
    if (caughtUp) return;
    caughtUp = true;
    paceStart = performance.now();
    options.onCaughtUp?.({ t, happenings: played });
  };
  for (let n = 0; n < all.length; n++) {
    if (options.signal?.aborted) break;
    const { h, g } = all[n] as (typeof all)[number];
    if (h.t > until) break;
    if (h.t > paceFrom) catchUp(options.clock.now());
    if (Number.isFinite(speed) && h.t > paceFrom) {
      const due = paceStart + (h.t - paceFrom) / speed;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait, options.signal);
      if (options.signal?.aborted) break;
    }
    played = n + 1;
    options.clock.set(h.t);
    const done = (twins[g] as FleetTwin).apply(h);
    if (done) await done;
    if (n % 256 === 0) {
      await tick();
      while (pendingAll() > maxPending) await sleep(5);
    }
    if (h.t >= nextDay) {
      options.onDay?.({ t: h.t, happenings: n, pending: pendingAll() });
      nextDay = h.t - ((h.t - plan.from) % 86_400_000) + 86_400_000;
    }
  }
  if (!options.signal?.aborted) {
    catchUp(options.clock.now());
    options.clock.set(until);
  }
  while (pendingAll() > 0 && !options.signal?.aborted) await sleep(10);
  return { happenings: played, realMs: performance.now() - realStart, twins };
}
