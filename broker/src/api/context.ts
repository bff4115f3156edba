/** What every group of routes is given by buildApi. */
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Ledger } from '../ledger/ledger.ts';

export interface RouteContext {
  /** The ledger database (users, sessions, registry, audit). */
  db: Database;
  ledger: Ledger;
  now: () => number;
  log: Logger | undefined;
}
