import { z } from 'zod';
import { join, relative, resolve } from 'node:path';
import { createLogger, loadConfig, setupEditorAccounts } from '@stemlab/edge-agent';
import { composeGateway, simulatedRobots, type ComposedGateway, type SimulatedRobots } from '@stemlab/compose';
import { openCentralState, provisionGatewayCommand, startCentral, type Ledger } from '@stemlab/broker';
import type { Command } from '../main.ts';
import { numberFlag, parseCommand, untilStopped } from '../args.ts';
import { demoAccounts } from '../demo/accounts.ts';
import { fleetCredentials } from '../demo/fleet-credentials.ts';
import { DEFAULT_SIZE, fleetSpecs } from '../fleet/fleet.ts';
import { quarterOf, startCityFleet, type CityFleet, type CityFleetSummary } from '../demo/city-fleet.ts';
import { runClassroom } from '../demo/classroom.ts';
import { narrate } from '../demo/narrate.ts';
import { portOrFree } from '../demo/ports.ts';
import { runSummary } from '../demo/run-summary.ts';
import { tryNext } from '../demo/try-next.ts';

const help = `Usage: stemlab demo [--duration SECONDS] [--data-dir DIR] [--verbose] [--fleet-days N] [--no-fleet]

Runs a simulated city on this machine: the central side (MQTT broker, usage ledger, HTTP API
and the department's dashboard, with a demo admin and teacher whose passwords it prints), a
robot-club gateway with six simulated robots and a lab gateway with sensor benches, each an edge
agent driving simulated Arduino boards through the real serialport → Firmata → Johnny-Five stack
and sending its usage to the central ledger. Robot 1 drives a square and stops before obstacles,
a lesson is tagged on robot 2, a student pulls robot 3's cable; a group records an experiment
on the lab's simulated sensors (water cooling by Newton's law), live on the lab page. The robots
are simulated in arenas (an empty table, line tracks, an obstacle course, a maze, a sumo ring),
seen live in the browser beside the Node-RED editor.

Around that school, the city: the fleet simulator's gateways of the other 53 robot clubs and the
28 lab centres, living the current quarter's timetable (the last --fleet-days replayed at start,
then live at the real rate), so the dashboard shows every unit alive, idle or silent, with a
history. The next run on the same data dir goes on where this one stopped.

Prints what happens (not every reading: --verbose for those), then what to try next (addresses
with their log-ins, commands); on Ctrl-C (or after --duration seconds) it stops and prints what
ran, the usage events ingested and anything that went wrong.

  --data-dir     where the ledger, the gateways' outboxes and the city's state live (default data/demo)
  --verbose      print the kits' readings and the ledger's figures every 5 s
  --fleet-days   days of the city's history replayed at start (default 14; 0: live only)
  --fleet-seed   the city's quarter (default: the last run's, else random; printed)
  --no-fleet     no city: only the school's two gateways`;

const Options = z.object({
  duration: numberFlag('a number of seconds').optional(),
  'data-dir': z.string().min(1).default('data/demo'),
  verbose: z.boolean().default(false),
  'fleet-days': numberFlag('a number of days').pipe(z.number().max(92, 'at most a quarter (92 days)')).default(14),
  'fleet-seed': numberFlag('a number').optional(),
  'no-fleet': z.boolean().default(false),
});

const examples = new URL('../../edge-agent/examples/', import.meta.url);

/** Each robot of the club in an arena of its own: robot 1 drives its square on the empty table, the others wait. */
const demoArenas: Record<string, string> = {
  'robot-1': 'empty-table',
  'robot-2': 'line-oval',
  'robot-3': 'obstacle-course',
  'robot-4': 'maze',
  'robot-5': 'line-figure-eight',
  'robot-6': 'sumo-ring',
};

export const demo: Command = {
  summary: 'run the simulated city: the central, a school\'s robot club and lab, and the fleet around them',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseCommand(
      'demo',
      argv,
      { duration: { type: 'string' }, 'data-dir': { type: 'string' }, verbose: { type: 'boolean' }, 'fleet-days': { type: 'string' }, 'fleet-seed': { type: 'string' }, 'no-fleet': { type: 'boolean' } },
      Options,
    );
    const dataDir = resolve(values['data-dir']);
    const verbose = values.verbose;
    const startedAt = Date.now();
    const problems: string[] = [];
    const say = (line: string) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${line}`);
    // Recorded and shown (and in the summary) rather than ending the demo in the middle of a class.
    const onUnhandled = (err: unknown) => {
      problems.push(`unexpected error: ${(err as Error)?.stack ?? String(err)}`);
      say(`unexpected error: ${(err as Error)?.message ?? String(err)}`);
    };
    process.on('unhandledRejection', onUnhandled);
    const log = createLogger('error');
    console.log('STEMLab Edge demo: a simulated city (Ctrl-C to stop) / Bản demo STEMLab Edge: một thành phố mô phỏng (Ctrl-C để dừng)\n');
    const mqttPort = await portOrFree('127.0.0.1', 1883);
    const httpPort = await portOrFree('127.0.0.1', 8080);
    const centralDir = join(dataDir, 'central');
    // While the city's history replays, the central's ingest reads the city's simulated clock
    // (who was online when, as the fleet lived it); then the real time (city-fleet.ts).
    let ingestClock: () => number = Date.now;
    const central = await startCentral({
      dataDir: centralDir,
      mqtt: { host: '127.0.0.1', port: mqttPort.port },
      http: { host: '127.0.0.1', port: httpPort.port },
      log,
      // As a real central: no anonymous clients. The gateways (the school's and the city's twins)
      // log in with their credentials, the teacher's tools with the teacher's account.
      security: { allowAnonymous: false },
      ingest: { now: () => ingestClock() },
    });
    const before = await central.ledger.counts();
    console.log(`central: MQTT broker ${central.mqttUrl}${mqttPort.taken ? ' (port 1883 was taken, took a free one)' : ''} (anonymous access off); ledger ${join(centralDir, 'ledger.sqlite')}`);
    const logins = await demoAccounts(centralDir, 'thcs-q1-01', ['robot-club-1', 'lab-1']);
    const next = tryNext();
    next.place('The department\'s dashboard / Bảng điều khiển của Sở:', [
      `dashboard: ${central.httpUrl ?? ''}/${httpPort.taken ? ' (port 8080 was taken, took a free one)' : ''}`,
      `log in as ${logins.admin.username} / ${logins.admin.password} (department admin), or ${logins.teacher.username} / ${logins.teacher.password} (teacher of thcs-q1-01)`,
    ]);
    // The city first: its history replays before the school's own gateways join the central.
    // Ctrl-C during the replay stops the city in order too (it saves how far it got).
    const interrupted = untilStopped(undefined);
    let city: CityFleet | undefined;
    // The twins log in with credentials of their own (fleet-credentials.ts).
    const fleetState = values['no-fleet'] ? undefined : await openCentralState(undefined, centralDir);
    if (fleetState) {
      const real = ['thcs-q1-01/robot-club-1', 'thcs-q1-01/lab-1'];
      const twins = fleetSpecs(DEFAULT_SIZE).filter((s) => !real.includes(`${s.unit}/${s.gateway}`));
      say(`city: ${twins.length} gateways' broker credentials (those of the last run reused while valid; new ones are one scrypt each)`);
      const credentials = await fleetCredentials(fleetState, central.security, dataDir, twins);
      city = startCityFleet({ mqttUrl: central.mqttUrl, dataDir, real, historyDays: values['fleet-days'], seed: values['fleet-seed'], say, verbose, credentials });
      ingestClock = city.clock;
      const early = await Promise.race([city.caughtUp.then(() => undefined), interrupted]);
      await central.ingest.drain();
      ingestClock = Date.now;
      if (early !== undefined) {
        console.log(`\nstopping (${early}) while the city's history replayed`);
        const fleet = await city.stop();
        await central.ingest.drain();
        const after = await central.ledger.counts();
        await central.stop();
        process.off('unhandledRejection', onUnhandled);
        console.log(runSummary({ startedAt, stoppedAt: Date.now(), why: early, gateways: [], fleet, before, after, problems }));
        console.log('stopped; the ledger stays in ' + centralDir);
        return 0;
      }
    }
    const gateways: ComposedGateway[] = [];
    let robots: SimulatedRobots | undefined;
    for (const [file, preferred] of [['robot-club.yaml', 1880], ['lab.yaml', 1881]] as const) {
      const loaded = await loadConfig(new URL(file, examples).pathname);
      // Node-RED runs once per process: the robot club gets the editor in the demo.
      const withEditor = file === 'robot-club.yaml';
      // Each gateway's broker credentials, fresh on every run (`stemlab provision gateway`).
      const credentials = await provisionGatewayCommand(centralDir, loaded.unit, loaded.gateway);
      const config = {
        ...loaded,
        dataDir: join(dataDir, 'gateways', loaded.gateway),
        mqtt: { ...loaded.mqtt, url: central.mqttUrl, username: credentials.username, password: credentials.password },
        usage: { idleMs: 5000 },
        nodered: { ...loaded.nodered, enabled: withEditor, students: 2 },
      };
      // Every gateway gets its classroom accounts: they log in to the room console, the lab page
      // and (where it runs) the Node-RED editor.
      const accounts = await setupEditorAccounts(config.dataDir, 2, { replace: true });
      const { port, taken } = await portOrFree(config.http.host, preferred);
      const gateway = await composeGateway(config, { log, port });
      gateways.push(gateway);
      await gateway.agent.waitForKits('connected', 20_000);
      console.log(`${config.label ?? config.gateway} (${config.unit}/${config.gateway}): ${config.kits.length} kits connected`);
      const lines = [
        `local API: ${gateway.api.url}/api/v1/status${taken ? ` (port ${preferred} was taken, took a free one)` : ''}`,
        `room console: ${gateway.api.url}/console/  (log in as ${accounts.teacher.username} / ${accounts.teacher.password}, teacher; ${accounts.technician.username} / ${accounts.technician.password}, technician)`,
      ];
      if (config.room === 'lab') lines.push(`lab page (experiments, live charts, CSV/XLSX): ${gateway.api.url}/lab  (log in on the room console first)`);
      if (withEditor) robots = simulatedRobots(gateway, { seed: 2050, arenas: demoArenas });
      if (withEditor && gateway.nodered?.state === 'running') {
        lines.push(`Node-RED editor: ${gateway.nodered.editorUrl}  (lessons: Menu → Import → Examples → @stemlab/flows)`);
        lines.push(`  log in as ${accounts.teacher.username} / ${accounts.teacher.password} (teacher), or ${accounts.students.map((s) => `${s.username} / ${s.password}`).join(', ')}`);
        if (robots?.viewPath) lines.push(`the robots, live in their arenas: ${gateway.api.url}${robots.viewPath}/  (the same log-ins)`);
        lines.push(`a club session: on the room console (teacher), teams with their robots and students, deploy the lesson, "Chấm bài" in the editor, end it for the summary (CSV/XLSX) / buổi câu lạc bộ: trên bảng điều khiển phòng`);
      } else if (!withEditor) {
        lines.push('Node-RED editor: runs once per process, so here only on the robot club; `stemlab agent --config edge-agent/examples/lab.yaml` gives the lab its own');
      }
      next.place(`${config.label ?? config.gateway} (${config.unit}/${config.gateway}):`, lines);
    }
    const [club, lab] = gateways as [ComposedGateway, ComposedGateway];
    const rel = relative(process.cwd(), centralDir);
    const here = rel === '' ? '.' : rel.startsWith('..') ? centralDir : rel;
    next.command(`curl -X POST ${club.api.url}/api/v1/estop   then   npx stemlab agent estop --url ${club.api.url} --reset`, 'the robot club\'s emergency stop, and its reset / dừng khẩn cấp phòng robot, và bỏ dừng');
    next.command(
      `STEMLAB_PASSWORD=${logins.teacher.password} npx stemlab lesson deploy blink --to ${club.agent.config.unit}/${club.agent.config.gateway} --kit robot-6 --broker ${central.mqttUrl} --username ${logins.teacher.username}`,
      'a lesson onto robot 6, as the club\'s teacher logged in on the broker (anonymous access is off) / nạp bài học cho robot 6, với tài khoản giáo viên',
    );
    next.command(`npx stemlab report --quarter ${quarterOf(Date.now())} --format xlsx --data-dir ${here} --out report.xlsx`, 'this quarter\'s report for the department, from the demo\'s ledger / báo cáo quý cho Sở');
    next.command('npx stemlab sim fleet --speed 86400', 'a whole quarter of the fleet in minutes, its report checked against the truth / cả quý của toàn bộ đơn vị trong vài phút');
    next.command('npx stemlab lesson list', 'the robot club\'s 24 lessons / 24 bài học của câu lạc bộ robot');
    if (!verbose) next.command('npm start -- --verbose', 'the demo again, with every reading / chạy lại, in mọi số đo');
    console.log(next.toString());

    const narration = narrate([club, lab], say, { verbose, problem: (p) => problems.push(p) });
    const stopClassroom = runClassroom(club, lab, say);
    // The ledger's figures: every 5 s with --verbose, else once a minute when they changed.
    let lastLedgerLine = '';
    const ledgerReport = setInterval(
      () =>
        void ledgerLine(central.ledger).then((line) => {
          if (verbose || line !== lastLedgerLine) say(line);
          lastLedgerLine = line;
        }, () => undefined),
      verbose ? 5000 : 60_000,
    );
    const why = await (values.duration === undefined ? interrupted : Promise.race([interrupted, new Promise<string>((resolve) => setTimeout(() => resolve(`--duration ${values.duration}s`), (values.duration as number) * 1000).unref())]));
    console.log(`\nstopping (${why}): every motor stops, every port closes`);
    clearInterval(ledgerReport);
    stopClassroom();
    narration.stop();
    let fleet: CityFleetSummary | undefined;
    if (city) fleet = await city.stop();
    await fleetState?.close();
    for (const gateway of gateways) await gateway.stop();
    robots?.close();
    await central.ingest.drain();
    const after = await central.ledger.counts();
    await central.stop();
    process.off('unhandledRejection', onUnhandled);
    console.log(
      runSummary({
        startedAt,
        stoppedAt: Date.now(),
        why,
        gateways: gateways.map((g) => ({ name: `${g.agent.config.label ?? g.agent.config.gateway} (${g.agent.config.unit}/${g.agent.config.gateway})`, kits: g.agent.config.kits.length })),
        fleet,
        before,
        after,
        problems,
      }),
    );
    console.log('stopped; the ledger stays in ' + join(dataDir, 'central'));
    return 0;
  },
};

async function ledgerLine(ledger: Ledger): Promise<string> {
  const c = await ledger.counts();
  return `ledger: ${c.events} usage events from ${c.gateways} gateways (${c.online} online), ${c.openGaps} open gaps, ${c.deadLetters} dead letters`;
}
