import type { AgentConfig, AgentStatus } from '@stemlab/edge-agent';
import { agentUrl } from './config.ts';

/** The running agent a tool talks to, and what it says it is. */
export interface AgentTarget {
  url: string;
  status: AgentStatus;
}

/** Why a tool will not act on the agent it reached: exit code 1, nothing done. */
export class WrongAgentError extends Error {}

/**
 * Find the running agent a tool should talk to: `--url`, or the config's http.host:port. With a
 * config, the agent that answers must be the config's unit/gateway: two agents on one machine
 * (the lab config without an http.port reaches the robot club's on the default port) must not
 * get each other's e-stops and self-tests. Undefined when no agent answers.
 */
export async function reachAgent(options: { url?: string; config?: AgentConfig }): Promise<AgentTarget | undefined> {
  const url = options.url ?? (options.config ? agentUrl(options.config) : undefined);
  if (!url) throw new Error('reachAgent: a URL or a config is required');
  let status: AgentStatus;
  try {
    const response = await fetch(new URL('/api/v1/status', url), { signal: AbortSignal.timeout(5000) });
    status = (await response.json()) as AgentStatus;
  } catch {
    return undefined;
  }
  const config = options.config;
  if (config && (status.unit !== config.unit || status.gateway !== config.gateway)) {
    throw new WrongAgentError(
      `the agent at ${url} is ${status.unit}/${status.gateway}, not this config's ${config.unit}/${config.gateway}: ` +
        `another gateway's agent answers on that port. Give each agent its own http.port in its config, or pass --url to choose the agent.`,
    );
  }
  return { url, status };
}
