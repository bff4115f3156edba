import { z } from 'zod';
import { createLogger, loadConfig, startGateway, type Gateway } from '@stemlab/edge-agent';
import type { Command } from '../main.ts';
import { numberFlag, parseCommand, untilStopped } from '../args.ts';
import { runClassroom } from '../demo/classroom.ts';
import { portOrFree } from '../demo/ports.ts';

const help = `Usage: stemlab demo [--duration SECONDS]

Runs a simulated school on this machine: a robot-club gateway with six simulated robots and a
lab gateway with sensor benches, each an edge agent driving simulated Arduino boards through the
real serialport → Firmata → Johnny-Five stack. Robot 1 drives a square and stops before
obstacles; the lab's sensors drift like an experiment. Prints what happens and each gateway's
local API. Stops on Ctrl-C, or by itself after --duration seconds.`;

const Options = z.object({ duration: numberFlag('a number of seconds').optional() });

const examples = new URL('../../edge-agent/examples/', import.meta.url);

export const demo: Command = {
  summary: 'run the simulated classroom',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseCommand('demo', argv, { duration: { type: 'string' } }, Options);
    const log = createLogger('error');
    console.log('STEMLab Edge demo: a simulated robot club and lab (Ctrl-C to stop)\n');
    const gateways: Gateway[] = [];
    for (const [file, preferred] of [['robot-club.yaml', 1880], ['lab.yaml', 1881]] as const) {
      const config = await loadConfig(new URL(file, examples).pathname);
      const { port, taken } = await portOrFree(config.http.host, preferred);
      const gateway = await startGateway(config, { log, port });
      gateways.push(gateway);
      await gateway.agent.waitForKits('connected', 20_000);
      console.log(`${config.label ?? config.gateway} (${config.unit}/${config.gateway}): ${config.kits.length} kits connected`);
      console.log(`  local API: ${gateway.api.url}/api/v1/status${taken ? ` (port ${preferred} was taken, took a free one)` : ''}`);
    }
    const [club, lab] = gateways as [Gateway, Gateway];
    const say = (line: string) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${line}`);
    report(club, say);
    report(lab, say);
    console.log('\nTry:  curl -X POST ' + `${club.api.url}/api/v1/estop` + '   then   npx stemlab agent estop --url ' + club.api.url + ' --reset\n');
    const stopClassroom = runClassroom(club, lab, say);
    const why = await untilStopped(values.duration);
    console.log(`\nstopping (${why}): every motor stops, every port closes`);
    stopClassroom();
    for (const gateway of gateways) await gateway.stop();
    console.log('stopped');
    return 0;
  },
};

/** Print what a person would want to see: kits coming and going, safety stops, readings now and then. */
function report(gateway: Gateway, say: (line: string) => void): void {
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
