import { fork } from 'node:child_process';
import { z } from 'zod';
import { createLogger } from '@stemlab/edge-agent';
import { composeGateway, simulatedRobots } from '@stemlab/compose';
import type { Command } from '../main.ts';
import { numberFlag, parseCommand, untilStopped } from '../args.ts';
import { agentConfig } from '../config.ts';

const help = `Usage: stemlab agent --config FILE [--port N] [--no-supervise]

The edge agent of one gateway: its kits (Arduino over Firmata; \`sim: NAME\` kits run on a
built-in simulator), the Pi's GPIO and e-stop (a simulated header with gpio.sim: true), and the
local API on config http.port. Simulated robot kits (two motors) drive in an arena, seen live at
/robot-view/ beside the Node-RED editor, with its log-ins.
Stops every actuator and exits on Ctrl-C or SIGTERM.

A supervisor runs the agent in a child process and restarts it if it crashes: reopening a kit's
port resets the board (DTR), so a crash cannot leave a motor running for long.

  --config        the gateway's config (YAML or JSON; see docs/agent-config.md)
  --port          the local API's port instead of config http.port (0: any free port)
  --no-supervise  run the agent in this process, without a supervisor

Related: stemlab agent doctor | selftest | estop (each with --help).`;

const Options = z.object({
  config: z.string().optional(),
  port: numberFlag('a port number').pipe(z.number().int().max(65_535)).optional(),
  'no-supervise': z.boolean().default(false),
});

const WORKER = 'STEMLAB_AGENT_WORKER';

export const agent: Command = {
  summary: 'the edge agent of one gateway',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseCommand('agent', argv, { config: { type: 'string' }, port: { type: 'string' }, 'no-supervise': { type: 'boolean' } }, Options);
    const config = await agentConfig(values.config, 'agent');
    if (!values['no-supervise'] && process.env[WORKER] !== '1') return supervise(argv);

    const log = createLogger(config.log.level);
    const gateway = await composeGateway(config, { log, ...(values.port !== undefined ? { port: values.port } : {}) });
    // Last resort: a bug must not leave motors running. Stop what can be stopped, then exit so
    // that the supervisor starts a fresh agent.
    const crash = (err: unknown) => {
      log.fatal({ err }, 'agent crashed; stopping every actuator');
      const timer = setTimeout(() => process.exit(70), 2000);
      void gateway.stop().finally(() => {
        clearTimeout(timer);
        process.exit(70);
      });
    };
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
    // Under a supervisor: if it dies (even by SIGKILL) the IPC channel closes, and an agent left
    // alone must stop its kits rather than run on unsupervised.
    const orphaned = new Promise<string>((resolve) => process.once('disconnect', () => resolve('the supervisor is gone')));
    const robots = gateway.simulator ? simulatedRobots(gateway) : undefined;
    console.log(`agent ${config.unit}/${config.gateway} (pid ${process.pid}): ${config.kits.length} kits; local API ${gateway.api.url}`);
    if (robots?.viewPath) console.log(`simulated robots, live in their arenas: ${gateway.api.url}${robots.viewPath}/ (the editor's log-ins)`);
    const why = await Promise.race([untilStopped(undefined), ...(process.send ? [orphaned] : [])]);
    log.info({ why }, 'stopping');
    await gateway.stop();
    robots?.close();
    return 0;
  },
};

/**
 * The Node flags of the supervised agent, from the supervisor's own. A small young generation keeps
 * the gateway's memory low on a 1 GB Pi (about 35 MB less RSS with Node-RED and six kits, measured
 * by `stemlab bench --only gateway`). V8's concurrent garbage collection is kept (bin/stemlab.js
 * launches with --single-threaded-gc, which suits the central): marking on helper threads keeps
 * the agent's own pauses short, and its e-stop runs on that thread.
 */
export function agentExecArgv(execArgv: readonly string[]): string[] {
  return [...execArgv.filter((flag) => flag !== '--single-threaded-gc'), '--max-semi-space-size=2'];
}

/**
 * Run the agent as a child and restart it when it dies unexpectedly, waiting longer after each
 * quick crash (1 s doubling to 30 s; a run of a minute resets the wait). Ctrl-C and SIGTERM are
 * passed on, and the supervisor exits when the agent has stopped.
 */
async function supervise(argv: string[]): Promise<number> {
  let delay = 1000;
  let stopping = false;
  for (;;) {
    const started = Date.now();
    const child = fork(process.argv[1]!, ['agent', ...argv], {
      env: { ...process.env, [WORKER]: '1' },
      execArgv: agentExecArgv(process.execArgv),
      stdio: 'inherit',
    });
    const forward = (signal: NodeJS.Signals) => () => {
      stopping = true;
      child.kill(signal);
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (stopping || code === 0 || code === 2) return code ?? 0;
    if (Date.now() - started > 60_000) delay = 1000;
    console.error(`supervisor: the agent exited (${code ?? 'killed'}); restarting in ${delay / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (stopping) return 0;
    delay = Math.min(delay * 2, 30_000);
  }
}
