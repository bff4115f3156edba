export { startCentral, type Central, type CentralOptions } from './central.ts';
export {
  centralConfigSchema,
  CentralConfigError,
  centralConfigErrorCodes,
  loadCentralConfig,
  parseCentralConfig,
  type CentralConfig,
  type CentralConfigIssue,
} from './config.ts';
export { Ingest, type Commit, type IngestOptions } from './ingest/ingest.ts';
export { Ledger, type LedgerOptions, type LedgerStats } from './ledger/sqlite.ts';
export type * from './ledger/types.ts';
