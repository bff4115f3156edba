import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ANONYMOUS_GATEWAYS, openCentralState, provisionGateway, quarterlyReport, reportToJson, startCentral } from '@stemlab/broker';
import { createLogger } from '@stemlab/edge-agent';
import { fleetTruth, planFleet, quarterSpan, SimClock } from '@stemlab/simulators/fleet';
import type { Command } from '../main.ts';
import { numberFlag, parseCommand } from '../args.ts';
import { compareWithTruth } from '../fleet/compare.ts';
import { DEFAULT_SIZE, fleetSpecs, playFleet, registryUnits } from '../fleet/fleet.ts';

const help = `Usage: stemlab sim fleet [--units 54] [--labs 28] [--seed S] [--speed X] [--quarter 2026Q1] [--data-dir DIR]

Lives a quarter of the city's fleet in minutes: every robot club and lab centre as a simulated
gateway (a real MQTT client with the agent's outbox, its own credentials provisioned on the
central), with a school timetable (periods Monday to Saturday, robot clubs in the afternoons,
lab classes, holidays and Tết), kits that break and get repaired, gateways offline for hours or
days that come back with their outboxes, clocks that boot wrong. A central runs in this process
on the same simulated clock. At the end it writes the true totals (truth.json), the quarterly
report computed by the central (report.json) and says whether every figure equals the truth.

  --units      robot-club units (default 54: the registry's; more are made up, for load)
  --labs       lab centres (default 28)
  --robots     robots per club (default 6);  --benches  benches per lab (default 3)
  --seed       the same seed lives the same quarter (default: random, printed)
  --speed      simulated seconds per real second (default: as fast as possible)
  --quarter    the quarter to live (default 2026Q1, with Tết)
  --activity   0..1, the share of the timetable that happens (default 1)
  --anonymous  no credentials (faster for thousands of gateways)
  --durable    outboxes in files under the data dir, synced to disk as on a gateway (default: in
               memory, the same outbox code: a quarter's appends are fsyncs otherwise)
  --data-dir   where the central, the outboxes, truth.json and report.json go (default data/sim-fleet)`;

const Options = z.object({
  units: numberFlag('a number of units').default(DEFAULT_SIZE.robotUnits),
  labs: numberFlag('a number of lab centres').default(DEFAULT_SIZE.labs),
  robots: numberFlag('a number of robots').default(DEFAULT_SIZE.robotsPerUnit),
  benches: numberFlag('a number of benches').default(DEFAULT_SIZE.benchesPerLab),
  seed: numberFlag('a number').optional(),
  speed: numberFlag('simulated seconds per real second').optional(),
  quarter: z.string().regex(/^\d{4}Q[1-4]$/, 'expected YYYYQn, e.g. 2026Q1').default('2026Q1'),
  activity: numberFlag('a share between 0 and 1').refine((x) => x <= 1, 'at most 1').default(1),
  anonymous: z.boolean().default(false),
  durable: z.boolean().default(false),
  'data-dir': z.string().min(1).default('data/sim-fleet'),
});

export const simFleet: Command = {
  summary: 'a quarter of the fleet in minutes, against a central on the same simulated clock; writes the truth and the report',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseCommand(
      'sim fleet',
      argv,
      {
        units: { type: 'string' },
        labs: { type: 'string' },
        robots: { type: 'string' },
        benches: { type: 'string' },
        seed: { type: 'string' },
        speed: { type: 'string' },
        quarter: { type: 'string' },
        activity: { type: 'string' },
        anonymous: { type: 'boolean' },
        durable: { type: 'boolean' },
        'data-dir': { type: 'string' },
      },
      Options,
    );
    const seed = values.seed ?? Math.floor(Math.random() * 2 ** 31);
    const dir = resolve(values['data-dir'], `${values.quarter}-seed-${seed}`);
    mkdirSync(join(dir, 'outboxes'), { recursive: true });
    mkdirSync(join(dir, 'central'), { recursive: true });
    const size = { robotUnits: values.units, labs: values.labs, robotsPerUnit: values.robots, benchesPerLab: values.benches };
    const plan = planFleet({ quarter: values.quarter, seed, gateways: fleetSpecs(size), activity: values.activity });
    const truth = fleetTruth(plan);
    console.log(`fleet: ${plan.gateways.length} gateways (${values.units} robot units, ${values.labs} lab centres), quarter ${values.quarter}, seed ${seed}`);
    console.log(`  ${plan.gateways.reduce((a, g) => a + g.happenings.length, 0)} happenings planned; speed ${values.speed ?? 'as fast as possible'}`);
    writeFileSync(join(dir, 'truth.json'), `${JSON.stringify(truth, null, 2)}\n`);

    const credentials = new Map<string, { username: string; password: string }>();
    if (!values.anonymous) {
      const db = await openCentralState(undefined, join(dir, 'central'));
      for (const g of plan.gateways) {
        const p = await provisionGateway(db, g.spec.unit, g.spec.gateway);
        credentials.set(`${g.spec.unit}/${g.spec.gateway}`, { username: p.username, password: p.password });
      }
      await db.close();
      console.log(`  ${credentials.size} gateways provisioned on the central`);
    }
    const span = quarterSpan(values.quarter);
    const clock = new SimClock(span.from);
    const central = await startCentral({
      dataDir: join(dir, 'central'),
      mqtt: { host: '127.0.0.1', port: 0 },
      log: createLogger('error'),
      // Twins without credentials publish their gateways' topics, which anonymous clients may not by default.
      security: values.anonymous ? { allowAnonymous: true, anonymous: ANONYMOUS_GATEWAYS } : { allowAnonymous: false },
      reports: { archive: false },
      ingest: { now: clock.now },
    });
    try {
      const started = Date.now();
      const run = await playFleet({
        plan,
        clock,
        mqttUrl: central.mqttUrl,
        ledger: central.ledger,
        outboxDir: values.durable ? join(dir, 'outboxes') : undefined,
        speed: values.speed,
        credentials: async (unit, gateway) => credentials.get(`${unit}/${gateway}`) as { username: string; password: string },
        onDay: ({ t, pending }) => {
          if (new Date(t + 7 * 3_600_000).getUTCDate() === 1) console.log(`  ${new Date(t + 7 * 3_600_000).toISOString().slice(0, 10)}: ${pending} events waiting in outboxes (${Math.round((Date.now() - started) / 1000)} s)`);
        },
      });
      await central.ingest.drain();
      for (const twin of run.twins) await twin.close();
      const report = await quarterlyReport(central.ledger, values.quarter, { units: registryUnits(plan), now: span.to });
      writeFileSync(join(dir, 'report.json'), reportToJson(report));
      const wrong = compareWithTruth(report, truth);
      console.log(`lived ${run.happenings} happenings in ${Math.round(run.realMs / 1000)} s; ${(await central.ledger.counts()).events} usage events in the ledger`);
      for (const t of truth.totals) console.log(`  ${t.category}: ${t.units} units, ${t.kits} kits, ${(t.usedMs / 3_600_000).toFixed(1)} kit-hours, ${t.sessions} sessions, ${t.faults} breakdowns, ${t.repairs} repairs`);
      console.log(`truth: ${join(dir, 'truth.json')}\nreport: ${join(dir, 'report.json')}`);
      if (wrong.length === 0) {
        console.log('the report equals the truth, figure by figure');
        return 0;
      }
      console.log(`the report differs from the truth in ${wrong.length} figures:\n  ${wrong.slice(0, 20).join('\n  ')}`);
      return 1;
    } finally {
      await central.stop();
    }
  },
};
