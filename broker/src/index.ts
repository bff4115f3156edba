import { mkdirSync } from 'node:fs';
import { openCentralState } from './central-state/state.ts';
import type { LedgerChoice } from './ledger/ledger.ts';
import { provisionGateway } from './security/credentials.ts';

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
export { IngestClient, ingestTopicFilters, type IngestClientOptions } from './ingest/client.ts';
export {
  IngestConfigError,
  ingestConfigSchema,
  ingestPassword,
  loadIngestConfig,
  parseIngestConfig,
  type IngestConfig,
  type IngestConfigIssue,
} from './ingest/client-config.ts';
export { Ledger, openLedger, type LedgerChoice, type LedgerConfig, type LedgerStats } from './ledger/ledger.ts';
export { isTransient, type Queryable, type SqlDriver, type SqlValue } from './ledger/sql.ts';
export type * from './ledger/types.ts';
export {
  gatewayCredentials,
  hasCredentials,
  provisionGateway,
  revokeGateway,
  verify as verifyGateway,
  type ProvisionedGateway,
} from './security/credentials.ts';
export { openCentralState, type CentralState } from './central-state/state.ts';
export { DROP_TOPIC, refusalReasons, SecurityPolicy, type RefusalReason, type SecurityOptions } from './security/policy.ts';

/**
 * `stemlab provision gateway --unit U --gateway G`: creates (or rotates) the gateway's credentials
 * in the central's state (`{dataDir}/ledger.sqlite`, or the PostgreSQL schema of `ledger`) and
 * returns the secret, which is not stored and cannot be shown again. Safe while the central runs;
 * the new secret counts from the gateway's next connection (to any central sharing the schema).
 */
export async function provisionGatewayCommand(
  dataDir: string,
  unit: string,
  gateway: string,
  ledger?: LedgerChoice,
): Promise<{ username: string; password: string; rotated: boolean }> {
  if (ledger?.kind !== 'postgres') mkdirSync(dataDir, { recursive: true });
  const db = await openCentralState(ledger, dataDir);
  try {
    const { username, password, rotated } = await provisionGateway(db, unit, gateway);
    return { username, password, rotated };
  } finally {
    await db.close();
  }
}

// Fleet registry and quarterly reports (issue 5).
export {
  addUnit,
  DISTRICTS,
  districtIds,
  equipmentSchema,
  FLEET,
  getUnit,
  LEVEL_NAMES,
  listUnits,
  placeholderNames,
  RegistryError,
  removeUnit,
  seedRegistry,
  unitAudit,
  unitKinds,
  unitLevels,
  unitPatchSchema,
  unitSchema,
  updateUnit,
  type AuditRow,
  type District,
  type EditOptions,
  type Equipment,
  type Unit,
  type UnitKind,
  type UnitLevel,
  type UnitPatch,
} from './registry/fleet.ts';
export { quarterlyReport, type QuarterlyOptions } from './reports/quarterly.ts';
export { DEFAULT_SCHOOL_TIME, localIso, quarterBounds, schoolOverlapMs, type SchoolTime } from './reports/quarter.ts';
export { COLUMNS as REPORT_COLUMNS, LABELS as REPORT_LABELS, type Lang as ReportLang } from './reports/labels.ts';
export type { CategoryTotals, Category as EquipmentCategory, ComponentRow, DataStatus, GatewayCompleteness, KitRow, QuarterlyReport, UnitSummary } from './reports/model.ts';
export { toCsv as reportToCsv, toJson as reportToJson } from './reports/csv.ts';
export { SHEETS as REPORT_SHEETS, toXlsx as reportToXlsx } from './reports/xlsx.ts';

// People's accounts and the HTTP API (issue 5).
export { apiErrorCodes, ApiError, type ApiErrorCode, type ErrorEnvelope } from './api/errors.ts';
export { buildApi, DEFAULT_SESSION_HOURS, type ApiOptions } from './api/server.ts';
export { metricsRegistry, renderMetrics, type MetricsSources } from './api/metrics.ts';
export { queryUsage, usageQuerySchema, type UsageItem, type UsageQuery } from './api/usage.ts';
export {
  createUser,
  disableUser,
  getUser,
  listUsers,
  login,
  logout,
  issueToken,
  newUserSchema,
  roles,
  sessionOf,
  unitMembers,
  updateUser,
  UserError,
  userPatchSchema,
  type NewUser,
  type Role,
  type Session,
  type User,
  type UserPatch,
} from './api/users.ts';
export { ANONYMOUS_GATEWAYS, DEFAULT_ANONYMOUS_RIGHTS, mayPublish, maySubscribe, personRights, type FilterRule, type Rights } from './security/rights.ts';
export { DEFAULT_RETENTION, Retention, type Pruned, type RetentionOptions } from './retention.ts';
export { DEFAULT_LOGIN_LIMIT, LoginLimiter, type LoginLimitOptions } from './security/login-limit.ts';
