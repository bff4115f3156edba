import { ConfigError, loadConfig, type AgentConfig } from '@stemlab/edge-agent';
import { UsageError } from './args.ts';

/** Load an agent config for a command; a bad one is a usage error (exit 2) naming every field. */
export async function agentConfig(file: string | undefined, command: string): Promise<AgentConfig> {
  if (!file) throw new UsageError(`stemlab ${command}: --config FILE is required (examples: edge-agent/examples/robot-club.yaml, lab.yaml)`);
  try {
    return await loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** The local API of the agent a config describes, for commands that talk to a running agent. */
export function agentUrl(config: AgentConfig): string {
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
}
