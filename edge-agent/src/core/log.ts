// The logger both sides share lives in protocol/ (its own entry point): the agent re-exports it.
export { createLogger, type Logger } from '@stemlab/protocol/log';
