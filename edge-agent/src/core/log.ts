import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/schema.ts';

export type { Logger };

/**
 * Structured logs (pino), one child per module ({module: 'kit', kit: 'robot-1'}). The CLI logs
 * to stdout; tests pass level 'silent' or their own destination.
 */
export function createLogger(level: LogLevel = 'info', destination?: pino.DestinationStream): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
