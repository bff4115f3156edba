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
  selftest,
  type SelftestReport,
} from '@stemlab/edge-agent';
import type { Command } from '../main.ts';
import { parseCommand } from '../args.ts';
import { agentConfig, agentUrl } from '../config.ts';

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

const selftestHelp = `Usage: stemlab agent selftest --config FILE

Checks that each configured component answers: sensors read in range, actuators take a short
command and are put back as they were (motors stopped). Asks the running agent when there is one
(config http.port), or starts the kits itself. Exit code 1 when a check fails.`;

export const agentSelftest: Command = {
  summary: 'check that every configured component answers',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(selftestHelp);
      return 0;
    }
    const { values } = parseCommand('agent selftest', argv, { config: { type: 'string' } }, z.object({ config: z.string().optional() }));
    const config = await agentConfig(values.config, 'agent selftest');
    let report = await askRunningAgent(agentUrl(config));
    if (!report) {
      console.log('no agent running for this config: starting its kits for the test');
      const gateway = await composeGateway(config, { log: createLogger('error'), port: 0 });
      try {
        await gateway.agent.waitForKits('connected', config.connection.readyTimeoutMs).catch(() => undefined);
        report = await selftest(gateway.agent);
      } finally {
        await gateway.stop();
      }
    }
    console.log(formatSelftestReport(report));
    return report.ok ? 0 : 1;
  },
};

async function askRunningAgent(url: string): Promise<SelftestReport | undefined> {
  try {
    const response = await fetch(`${url}/api/v1/selftest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const body = (await response.json()) as { status: string; report?: SelftestReport };
    return body.status === 'ok' ? body.report : undefined;
  } catch {
    return undefined;
  }
}
