import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** The levels a config may choose, lowest-noise last. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/**
 * Structured logs (pino), one child per module ({module: 'kit', kit: 'robot-1'}), the same on
 * the gateway and the central side. The CLI logs to stdout; tests pass level 'silent' or their
 * own destination. Its own entry point (`@stemlab/protocol/log`), so what imports only the
 * schemas does not load pino.
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
