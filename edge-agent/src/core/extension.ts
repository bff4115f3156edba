import type { AgentConfig } from '../config/schema.ts';
import type { EventBus } from './events.ts';
import type { Logger } from './log.ts';

/** What every extension is given: nothing global, so two agents in one process never meet. */
export interface ExtensionContext {
  config: AgentConfig;
  bus: EventBus;
  log: Logger;
}

/**
 * A feature of the agent (GPIO, the local API, MQTT, usage, Node-RED). The constructor only
 * stores its arguments; the work happens in start(), and stop() releases every listener, timer,
 * port and socket that start() took.
 */
export interface Extension {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
