import { z } from 'zod';
import { SerialPort } from 'serialport';
import { BoardSimulator } from '@stemlab/simulators';
import { addSimulatedKits, composeGateway } from '@stemlab/compose';
import {
  combinedBinding,
  createGpioChip,
  createLogger,
  doctor,
  formatDoctorReport,
  formatSelftestReport,
  readLocalToken,
  selftest,
  type SelftestReport,
} from '@stemlab/edge-agent';
import type { Command } from '../main.ts';
import { parseCommand } from '../args.ts';
import { agentConfig } from '../config.ts';
import { reachAgent, WrongAgentError } from '../agent-target.ts';
import { createInterface } from 'node:readline/promises';

const doctorHelp = `Usage: stemlab agent doctor [--config FILE]

Lists the serial ports, what is plugged into each (Arduino Uno, Mega, common clones), and with
--config which port each configured kit would use, which kits are missing and what to check.
Opens no port (opening an Arduino's port resets it). Exit code 1 when a kit is missing.`;

export const agentDoctor: Command = {
  summary: 'list serial ports and match them to the configured kits',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(doctorHelp);
      return 0;
    }
    const { values } = parseCommand('agent doctor', argv, { config: { type: 'string' } }, z.object({ config: z.string().optional() }));
    const config = values.config ? await agentConfig(values.config, 'agent doctor') : undefined;
    const simulator = new BoardSimulator();
    if (config) addSimulatedKits(config, simulator);
    const binding = combinedBinding(SerialPort.binding as never, simulator.binding);
    const gpio = config?.gpio.sim ? { description: 'simulated (gpio.sim: true)' } : realGpio();
    const report = await doctor(binding, config, gpio);
    simulator.close();
    console.log(formatDoctorReport(report));
    return report.ok ? 0 : 1;
  },
};

/** The Pi's GPIO as the agent would open it, or why it cannot. */
function realGpio(): { description: string; problem?: string } {
  try {
    const chip = createGpioChip();
    chip.close();
    return { description: chip.description };
  } catch (err) {
    return { description: 'unavailable', problem: (err as Error).message };
  }
}

const selftestHelp = `Usage: stemlab agent selftest --config FILE [--url URL] [--yes]
       stemlab agent selftest --url http://127.0.0.1:1880 [--yes]

Checks that each configured component answers: sensors read in range, actuators take a short
command and are put back as they were (motors stopped). Asks the running agent when there is one
(--url, or config http.port), or starts the kits itself. With --config, the agent that answers
must be that config's unit/gateway, else nothing is tested. Exit code 1 when a check fails.

Motors and servos move during the test: it asks first (put the robots on their stands, nothing
in the way). --yes answers for scripts; without a terminal and without --yes it refuses.`;

const SelftestOptions = z
  .object({
    config: z.string().optional(),
    url: z.url({ message: 'expected the agent URL, e.g. http://127.0.0.1:1880' }).optional(),
    yes: z.boolean().default(false),
  })
  .refine((o) => o.config !== undefined || o.url !== undefined, { message: 'give --config FILE (or --url of a running agent)', path: ['config'] });

/** Component types that move when tested. */
const moving = new Set(['motor', 'servo']);

export const agentSelftest: Command = {
  summary: 'check that every configured component answers',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(selftestHelp);
      return 0;
    }
    const { values } = parseCommand('agent selftest', argv, { config: { type: 'string' }, url: { type: 'string' }, yes: { type: 'boolean' } }, SelftestOptions);
    const config = values.config ? await agentConfig(values.config, 'agent selftest') : undefined;
    let target;
    try {
      target = await reachAgent({ ...(values.url ? { url: values.url } : {}), ...(config ? { config } : {}) });
    } catch (err) {
      if (!(err instanceof WrongAgentError)) throw err;
      console.error(`stemlab agent selftest: ${err.message}`);
      return 1;
    }
    if (!target && (values.url || !config)) {
      console.error(`stemlab agent selftest: no agent answers at ${values.url}; is \`stemlab agent\` running?`);
      return 1;
    }
    const kits = target ? target.status.kits.map((k) => ({ id: k.id, types: k.components.map((c) => c.type) })) : config!.kits.map((k) => ({ id: k.id, types: k.components.map((c) => c.type) }));
    const movers = kits.filter((k) => k.types.some((t) => moving.has(t))).map((k) => k.id);
    const where = target ? `${target.status.unit}/${target.status.gateway} at ${target.url}` : `${config!.unit}/${config!.gateway} (its kits started here)`;
    if (movers.length > 0 && !values.yes) {
      const warning = `The self-test of ${where} turns the motors and servos of ${movers.join(', ')} for a moment.\nPut the robots on their stands, with nothing in their way.`;
      console.log(warning);
      if (!(await confirm('Continue? [y/N] '))) {
        console.error(`stemlab agent selftest: not confirmed, nothing tested (--yes confirms from a script${process.stdin.isTTY ? '' : '; there is no terminal to ask'})`);
        return 2;
      }
    }
    let report: SelftestReport | undefined;
    if (target) {
      const answer = await askRunningAgent(target.url, config ? readLocalToken(config.dataDir) : undefined);
      report = typeof answer === 'string' ? undefined : answer;
      if (!report) {
        console.error(`stemlab agent selftest: the agent at ${target.url} did not run the self-test${typeof answer === 'string' ? `: ${answer}` : ''}`);
        return 1;
      }
    } else {
      console.log('no agent running for this config: starting its kits for the test');
      const gateway = await composeGateway(config!, { log: createLogger('error'), port: 0 });
      try {
        await gateway.agent.waitForKits('connected', config!.connection.readyTimeoutMs).catch(() => undefined);
        report = await selftest(gateway.agent);
      } finally {
        await gateway.stop();
      }
    }
    console.log(formatSelftestReport(report));
    return report.ok ? 0 : 1;
  },
};

/** Ask on the terminal; no terminal (a script, a pipe) is no. */
async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^(y|yes|c|có|co)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** The running agent's report, or why it refused (the self-test needs the agent's local token: --config on the gateway). */
async function askRunningAgent(url: string, token: string | undefined): Promise<SelftestReport | string | undefined> {
  try {
    const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const response = await fetch(new URL('/api/v1/selftest', url), { method: 'POST', headers, body: '{}' });
    const body = (await response.json()) as { status: string; report?: SelftestReport; message?: string };
    if (body.status !== 'ok') return `${body.message ?? response.statusText}${token ? '' : ' (run it with --config on the gateway, as the agent\'s user)'}`;
    return body.report;
  } catch {
    return undefined;
  }
}
