import { z } from 'zod';
import { join, resolve } from 'node:path';
import { createLogger, loadConfig, setupEditorAccounts } from '@stemlab/edge-agent';
import { composeGateway, simulatedRobots, type ComposedGateway, type SimulatedRobots } from '@stemlab/compose';
import { provisionGatewayCommand, startCentral, type Ledger } from '@stemlab/broker';
import type { Command } from '../main.ts';
import { numberFlag, parseCommand, untilStopped } from '../args.ts';
import { demoAccounts } from '../demo/accounts.ts';
import { runClassroom } from '../demo/classroom.ts';
import { portOrFree } from '../demo/ports.ts';

const help = `Usage: stemlab demo [--duration SECONDS] [--data-dir DIR]

Runs a simulated school on this machine: the central side (MQTT broker, usage ledger, HTTP API
and the department's dashboard, with a demo admin and teacher whose passwords it prints), a
robot-club gateway with six simulated robots and a lab gateway with sensor benches, each an edge
agent driving simulated Arduino boards through the real serialport → Firmata → Johnny-Five stack
and sending its usage to the central ledger. Robot 1 drives a square and stops before obstacles,
a lesson is tagged on robot 2, a student pulls robot 3's cable; a group records an experiment
on the lab's simulated sensors (water cooling by Newton's law), live on the lab page. The robots
are simulated in arenas (an empty table, line tracks, an obstacle course, a maze, a sumo ring),
seen live in the browser beside the Node-RED editor. Prints what happens, each gateway's local API and the ledger's figures.
Stops on Ctrl-C, or by itself after --duration seconds.

  --data-dir   where the ledger and the gateways' outboxes live (default data/demo)`;

const Options = z.object({
  duration: numberFlag('a number of seconds').optional(),
  'data-dir': z.string().min(1).default('data/demo'),
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
  summary: 'run the simulated classroom',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseCommand('demo', argv, { duration: { type: 'string' }, 'data-dir': { type: 'string' } }, Options);
    const dataDir = resolve(values['data-dir']);
    const log = createLogger('error');
    console.log('STEMLab Edge demo: a simulated school (Ctrl-C to stop)\n');
    const mqttPort = await portOrFree('127.0.0.1', 1883);
    const httpPort = await portOrFree('127.0.0.1', 8080);
    const centralDir = join(dataDir, 'central');
    const central = await startCentral({
      dataDir: centralDir,
      mqtt: { host: '127.0.0.1', port: mqttPort.port },
      http: { host: '127.0.0.1', port: httpPort.port },
      log,
      // As a real central: no anonymous clients. The gateways log in with their credentials, the
      // teacher's tools with the teacher's account.
      security: { allowAnonymous: false },
    });
    console.log(`central: MQTT broker ${central.mqttUrl}${mqttPort.taken ? ' (port 1883 was taken, took a free one)' : ''} (anonymous access off); ledger ${join(centralDir, 'ledger.sqlite')}`);
    const logins = await demoAccounts(centralDir, 'thcs-q1-01', ['robot-club-1', 'lab-1']);
    console.log(`  dashboard: ${central.httpUrl ?? ''}/${httpPort.taken ? ' (port 8080 was taken, took a free one)' : ''}`);
    console.log(`    log in as ${logins.admin.username} / ${logins.admin.password} (department admin), or ${logins.teacher.username} / ${logins.teacher.password} (teacher of thcs-q1-01)`);
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
      console.log(`  local API: ${gateway.api.url}/api/v1/status${taken ? ` (port ${preferred} was taken, took a free one)` : ''}`);
      console.log(`  room console: ${gateway.api.url}/console/  (log in as ${accounts.teacher.username} / ${accounts.teacher.password}, teacher; ${accounts.technician.username} / ${accounts.technician.password}, technician)`);
      if (config.room === 'lab') console.log(`  lab page (experiments, live charts, CSV/XLSX): ${gateway.api.url}/lab  (log in on the room console first)`);
      if (withEditor) robots = simulatedRobots(gateway, { seed: 2050, arenas: demoArenas });
      if (withEditor && gateway.nodered?.state === 'running') {
        console.log(`  Node-RED editor: ${gateway.nodered.editorUrl}  (lessons: Menu → Import → Examples → @stemlab/flows)`);
        console.log(`    log in as ${accounts.teacher.username} / ${accounts.teacher.password} (teacher), or ${accounts.students.map((s) => `${s.username} / ${s.password}`).join(', ')}`);
        if (robots?.viewPath) console.log(`  the robots, live in their arenas: ${gateway.api.url}${robots.viewPath}/  (the same log-ins)`);
      } else {
        console.log('  Node-RED editor: runs once per process, so here only on the robot club; `stemlab agent --config edge-agent/examples/lab.yaml` gives the lab its own');
      }
    }
    const [club, lab] = gateways as [ComposedGateway, ComposedGateway];
    const say = (line: string) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${line}`);
    report(club, say);
    report(lab, say);
    console.log('\nTry:  curl -X POST ' + `${club.api.url}/api/v1/estop` + '   then   npx stemlab agent estop --url ' + club.api.url + ' --reset');
    console.log(
      `      STEMLAB_PASSWORD=${logins.teacher.password} npx stemlab lesson deploy blink --to ${club.agent.config.unit}/${club.agent.config.gateway} --kit robot-6 --broker ${central.mqttUrl} --username ${logins.teacher.username}   (the teacher's log-in on the broker)\n`,
    );
    const stopClassroom = runClassroom(club, lab, say);
    const ledgerReport = setInterval(() => void ledgerLine(central.ledger).then(say, () => undefined), 5000);
    const why = await untilStopped(values.duration);
    console.log(`\nstopping (${why}): every motor stops, every port closes`);
    clearInterval(ledgerReport);
    stopClassroom();
    for (const gateway of gateways) await gateway.stop();
    robots?.close();
    await central.ingest.drain();
    say(await ledgerLine(central.ledger));
    await central.stop();
    console.log('stopped; the ledger stays in ' + join(dataDir, 'central'));
    return 0;
  },
};

async function ledgerLine(ledger: Ledger): Promise<string> {
  const c = await ledger.counts();
  return `ledger: ${c.events} usage events from ${c.gateways} gateways (${c.online} online), ${c.openGaps} open gaps, ${c.deadLetters} dead letters`;
}

/** Print what a person would want to see: kits coming and going, safety stops, readings now and then. */
function report(gateway: ComposedGateway, say: (line: string) => void): void {
  const { bus, config } = gateway.agent;
  const lastShown = new Map<string, number>();
  bus.on('kit:state', (e) => say(`${config.gateway}/${e.kit}: ${e.state}${e.reason ? ` (${e.reason})` : ''}`));
  bus.on('safety:stop', (e) => e.reason !== 'shutdown' && say(`${config.gateway}/${e.kit}: actuators stopped (${e.reason})`));
  bus.on('estop', (e) => say(`${config.gateway}: EMERGENCY STOP ${e.latched ? 'latched' : 'reset'} by ${e.source}`));
  bus.on('component:reading', (e) => {
    const key = `${e.kit}/${e.component}`;
    const now = Date.now();
    if (now - (lastShown.get(key) ?? 0) < 3000) return;
    lastShown.set(key, now);
    say(`${config.gateway}/${key} (${e.type}): ${JSON.stringify(e.value)}`);
  });
}
