/**
 * The production bridge (the agent's `createBridge`) over an Agent, for the palette's
 * tests: the nodes run against exactly what the agent gives Node-RED. No usage tracker runs
 * here, so tag() calls are recorded (the bridge has already checked the purpose).
 */
import type { Purpose } from '@stemlab/protocol';
import { createBridge, type Agent, type AgentBridge } from '@stemlab/edge-agent';

export interface TestBridge extends AgentBridge {
  /** Every tag(), in order. */
  readonly tags: Array<{ purpose: Purpose; kits: readonly string[] | undefined }>;
}

export function agentBridge(agent: Agent): TestBridge {
  const tags: TestBridge['tags'] = [];
  const bridge = createBridge(agent, { tag: (purpose, kits) => tags.push({ purpose, kits }) });
  return Object.assign(bridge, { tags });
}
