/** What every group of routes is given by buildApi. */
import type { CentralState } from '../central-state/state.ts';
import type { Logger } from 'pino';
import type { Ledger } from '../ledger/ledger.ts';
import type { EstopBoard } from '../live/estops.ts';

export interface RouteContext {
  /** The central's state (users, sessions, registry, audit). */
  db: CentralState;
  ledger: Ledger;
  now: () => number;
  log: Logger | undefined;
  /** A unit offline longer than this is silent (unit-status.ts). */
  silentAfterDays: number;
  /** The gateways' e-stop latches (live/estops.ts); none known without. */
  estops: EstopBoard | undefined;
}
