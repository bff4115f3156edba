export { Agent, type AgentHardware, type AgentStatus } from './agent.ts';
export { loadConfig, parseConfig, ConfigError } from './config/load.ts';
export type { AgentConfig, KitConfig, ComponentConfig } from './config/schema.ts';
export { AgentError, agentErrorCodes, type AgentErrorCode } from './core/errors.ts';
export type { AgentEvents, KitState } from './core/events.ts';
export type { Extension, ExtensionContext } from './core/extension.ts';
export { createLogger, type Logger } from './core/log.ts';
export { combinedBinding, nativeBinding } from './kits/serial.ts';
export { addSimulatedKits } from './simulated.ts';
