/**
 * The city around the demo's school: the fleet simulator's twins of the registry's other robot
 * clubs and every lab centre (simulators/src/fleet, cli/fleet/twin.ts), publishing to the demo's
 * central, so its dashboard shows the 54 robot units and 28 lab centres alive, idle or silent.
 *
 * The fleet lives the current quarter (city-plan.ts shapes it: a few units silent, a few idle):
 * the last `historyDays` are replayed at once when the demo starts (a history for the
 * dashboard), then the fleet goes on live, at the real rate. While it replays, the central's
 * ingest should read `clock` (the simulated time), so that who was online when is recorded as the
 * fleet lived it (a gateway lost five days ago shows silent); from `caughtUp` on, the real time.
 * A run remembers how far it got and its seed
 * (`{dataDir}/fleet/state.json`) and the twins' outboxes stay on disk, so the next run on the same
 * data dir goes on from there: nothing is sent twice, no sequence number is used again.
 *
 * What the twins could not be in a demo: a gateway booting with a wrong clock (the central would
 * correct its events to the real now, not to the simulated past), so boots are left out; outages
 * stay (a unit offline for hours or days shows as silent).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planFleet, runFleet, SimClock } from '@stemlab/simulators/fleet';
import { DEFAULT_SIZE, fleetSpecs } from '../fleet/fleet.ts';
import { MqttTwin } from '../fleet/twin.ts';
import { fromTime, shapeCity } from './city-plan.ts';

const DAY = 86_400_000;

export interface CityFleetOptions {
  mqttUrl: string;
  /** The demo's data dir: the fleet keeps its state and outboxes in `fleet/` there. */
  dataDir: string;
  /** Gateways the demo runs for real (unit/gateway): no twin of them. */
  real: readonly string[];
  /** Days replayed at start (0: none, only live). */
  historyDays: number;
  /** The seed of the fleet's quarter; default: the last run's, else random. */
  seed?: number;
  say: (line: string) => void;
  /** Says how far the replay got, day by day. */
  verbose?: boolean;
  now?: () => number;
  /** Each twin's broker credentials, as a real gateway has them (the demo's central refuses anonymous clients). */
  credentials?: (unit: string, gateway: string) => Promise<{ username: string; password: string }>;
}

export interface CityFleetSummary {
  gateways: number;
  robotUnits: number;
  labCentres: number;
  seed: number;
  quarter: string;
  happenings: number;
  /** Simulated time the fleet got to. */
  reached: number;
  /** What the twins' MQTT clients reported going wrong. */
  errors: string[];
}

export interface CityFleet {
  /** The simulated time the fleet is at (behind the real time by the replay's duration, once live). */
  readonly clock: () => number;
  /** Resolves when the replay is done and the fleet lives at the real rate (or it stopped). */
  readonly caughtUp: Promise<void>;
  readonly gateways: number;
  readonly robotUnits: number;
  readonly labCentres: number;
  readonly seed: number;
  readonly quarter: string;
  /** Stops the twins (they go offline as gateways whose network went) and saves how far they got. */
  stop(): Promise<CityFleetSummary>;
}

interface SavedState {
  seed: number;
  /** Every happening up to this simulated time was played. */
  playedUntil: number;
}

/** The quarter (2026Q4) an instant is in, in Ho Chi Minh City time. */
export function quarterOf(ms: number): string {
  const local = new Date(ms + 7 * 3_600_000);
  return `${local.getUTCFullYear()}Q${Math.floor(local.getUTCMonth() / 3) + 1}`;
}

export function startCityFleet(options: CityFleetOptions): CityFleet {
  const now = options.now ?? Date.now;
  const dir = join(options.dataDir, 'fleet');
  mkdirSync(join(dir, 'outboxes'), { recursive: true });
  const stateFile = join(dir, 'state.json');
  const saved = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as SavedState) : undefined;
  const seed = options.seed ?? saved?.seed ?? Math.floor(Math.random() * 2 ** 31);
  // A new seed lives another quarter: what an earlier seed played stays in the ledger, and this one starts now.
  const playedUntil = saved && saved.seed === seed ? saved.playedUntil : undefined;
  const start = now();
  const quarter = quarterOf(start);
  const specs = fleetSpecs(DEFAULT_SIZE).filter((s) => !options.real.includes(`${s.unit}/${s.gateway}`));
  const city = shapeCity(planFleet({ quarter, seed, gateways: specs }), start);
  const from = Math.max(city.plan.from, start - options.historyDays * DAY, playedUntil === undefined ? -Infinity : playedUntil + 1);
  const plan = fromTime(city.plan, from);
  const clock = new SimClock(from);
  const abort = new AbortController();
  const twins: MqttTwin[] = [];
  const robotUnits = specs.filter((s) => s.category === 'robots').length;
  const labCentres = specs.length - robotUnits;
  const save = () => writeFileSync(stateFile, `${JSON.stringify({ seed, playedUntil: clock.now() } satisfies SavedState)}\n`);

  const replayDays = Math.max(0, (start - from) / DAY);
  options.say(`city / thành phố: ${specs.length} simulated gateways (${robotUnits} robot clubs, ${labCentres} lab centres), quarter ${quarter}, seed ${seed}; ${replayDays >= 0.01 ? `replaying the last ${replayDays.toFixed(replayDays < 1 ? 2 : 0)} days, then live` : 'live'}`);
  options.say(`city: silent for days (their gateways lost) / mất liên lạc: ${city.silent.join(', ')}; idle (no session for over a week) / trực tuyến, chưa dùng: ${city.idle.join(', ')}`);
  const started = performance.now();
  let caughtUp!: () => void;
  const whenCaughtUp = new Promise<void>((resolve) => (caughtUp = resolve));
  const running = runFleet(plan, {
    clock,
    speed: 1,
    paceFrom: start,
    signal: abort.signal,
    openTwin: async (spec) => {
      const credentials = await options.credentials?.(spec.unit, spec.gateway);
      const twin = new MqttTwin(spec, { url: options.mqttUrl, clock, outboxPath: join(dir, 'outboxes', `${spec.unit}--${spec.gateway}.sqlite`), outboxSync: 'normal', ...(credentials ? { credentials } : {}) });
      twins.push(twin);
      return twin;
    },
    onDay: ({ t, pending }) => {
      if (options.verbose && t < start) options.say(`city: replayed up to ${new Date(t + 7 * 3_600_000).toISOString().slice(0, 10)} (${pending} events on their way)`);
    },
    onCaughtUp: ({ happenings }) => {
      save();
      options.say(`city: caught up with now (${happenings} happenings in ${((performance.now() - started) / 1000).toFixed(0)} s); the fleet lives on at the real rate`);
      caughtUp();
    },
  }).catch((err: unknown) => {
    options.say(`city: the simulated fleet stopped: ${(err as Error).message}`);
    return undefined;
  });
  void running.then(() => caughtUp());
  // How far it got, every second: a demo killed without Ctrl-C then sends again at most the
  // last second's happenings on the next run (new events of the same sessions, counted twice).
  const saver = setInterval(save, 1000);
  saver.unref();

  return {
    clock: clock.now,
    caughtUp: whenCaughtUp,
    gateways: specs.length,
    robotUnits,
    labCentres,
    seed,
    quarter,
    async stop() {
      clearInterval(saver);
      abort.abort();
      const result = await running;
      for (const twin of twins) await twin.close();
      save();
      return { gateways: specs.length, robotUnits, labCentres, seed, quarter, happenings: result?.happenings ?? 0, reached: clock.now(), errors: twins.flatMap((t) => t.errors.map((e) => `${t.spec.unit}: ${e.message}`)) };
    },
  };
}
