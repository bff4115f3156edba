import { z } from 'zod';
import type { Command } from '../main.ts';
import { parseCommand } from '../args.ts';
import { readLocalToken } from '@stemlab/edge-agent';
import { agentConfig } from '../config.ts';
import { reachAgent, WrongAgentError } from '../agent-target.ts';

const help = `Usage: stemlab agent estop --config FILE [--url URL] [--reset] [--by NAME]
       stemlab agent estop --url http://127.0.0.1:1880 [--reset] [--by NAME]

Emergency stop: the running agent stops every actuator of the gateway and latches until a
teacher resets it with --reset (or on the console). Pressing works from anywhere; a reset
needs --config, run on the gateway as the agent's user: it reads the agent's local token
({dataDir}/agent-token, readable only by that user). With --config, the agent that answers must be that config's
unit/gateway (another gateway's agent on the same port is refused, nothing is stopped or reset:
give each agent its own http.port, or pass --url).`;

const Options = z.object({
  config: z.string().optional(),
  url: z.url({ message: 'expected the agent URL, e.g. http://127.0.0.1:1880' }).optional(),
  reset: z.boolean().default(false),
  by: z.string().max(100).optional(),
});

export const agentEstop: Command = {
  summary: 'emergency stop (or --reset it) on the running agent',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseCommand('agent estop', argv, { config: { type: 'string' }, url: { type: 'string' }, reset: { type: 'boolean' }, by: { type: 'string' } }, Options);
    let base = values.url;
    const config = values.config !== undefined || base === undefined ? await agentConfig(values.config, 'agent estop') : undefined;
    const token = config ? readLocalToken(config.dataDir) : undefined;
    if (values.reset && !token) {
      console.error(
        config
          ? `stemlab agent estop: cannot read the agent's token in ${config.dataDir}/agent-token: run this on the gateway as the agent's user while the agent runs, or reset on the console (a teacher or technician)`
          : "stemlab agent estop: --reset needs --config FILE (the agent's local token is in its dataDir), or reset on the console (a teacher or technician)",
      );
      return 1;
    }
    if (base === undefined && config) {
      try {
        const target = await reachAgent({ config });
        if (!target) {
          console.error(`stemlab agent estop: no agent of ${config.unit}/${config.gateway} answers (config http ${config.http.host}:${config.http.port}); is \`stemlab agent\` running?`);
          return 1;
        }
        base = target.url;
      } catch (err) {
        if (!(err instanceof WrongAgentError)) throw err;
        console.error(`stemlab agent estop: ${err.message}`);
        return 1;
      }
    }
    const who = values.by ?? `stemlab agent estop (${process.env.USER ?? 'cli'})`;
    const path = values.reset ? '/api/v1/estop/reset' : '/api/v1/estop';
    let response: Response;
    try {
      response = await fetch(new URL(path, base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(values.reset ? { by: who } : { source: who }),
      });
    } catch (err) {
      console.error(`stemlab agent estop: no agent answers at ${base} (${(err as Error).message}); is \`stemlab agent\` running?`);
      return 1;
    }
    const body = (await response.json()) as { status: string; estop?: { latched: boolean; source?: string }; message?: string };
    if (body.status !== 'ok') {
      console.error(`stemlab agent estop: ${body.message ?? response.statusText}`);
      return 1;
    }
    console.log(body.estop?.latched ? `EMERGENCY STOP latched (${body.estop.source}); reset with: stemlab agent estop --reset` : 'emergency stop reset');
    return 0;
  },
};
