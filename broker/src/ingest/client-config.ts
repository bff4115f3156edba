/**
 * ingest.yaml: the config of `stemlab ingest`, the ingest as an MQTT client of a broker the city
 * already runs (client.ts). One zod schema holds the defaults and the types; `loadIngestConfig`
 * reads YAML or JSON and throws an IngestConfigError whose issues each name the field (or the
 * line, for a syntax error). Example: broker/examples/ingest.yaml.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { idSchema, listIssues } from '@stemlab/protocol';
import { ledgerSectionSchema, logLevels } from '../config.ts';
import { readConfigFile, zodIssues, type ConfigIssue } from '../config-file.ts';

export const ingestConfigSchema = z.strictObject({
  $schema: z.string().optional().describe('Path or URL of the JSON Schema, for editors; ignored.'),
  dataDir: z.string().min(1).default('data/central').describe('Directory of the SQLite ledger (ledger.sqlite) when `ledger` is left out or sqlite; created if missing.'),
  ledger: ledgerSectionSchema,
  broker: z
    .strictObject({
      url: z
        .string()
        .regex(/^(mqtts?|wss?):\/\/[^/\s]+/, 'an MQTT URL such as mqtt://127.0.0.1:1883 or mqtts://broker.example:8883')
        .default('mqtt://127.0.0.1:1883')
        .describe('The broker the gateways publish to (Mosquitto, EMQX, HiveMQ...).'),
      username: z.string().min(1).optional().describe("The ingest's own broker account; its ACL must allow reading stemlab/v1/# (see docs/ingest-on-any-broker.md)."),
      password: z.string().min(1).optional().describe('Its password. Prefer passwordEnv in a file that others can read.'),
      passwordEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as STEMLAB_INGEST_PASSWORD').optional().describe('Read the password from this environment variable instead.'),
      clientId: z
        .string()
        .min(1)
        .max(128)
        .default(`stemlab-ingest-${hostname().toLowerCase().replace(/[^a-z0-9-]/g, '-')}`)
        .describe('Fixed per instance: the broker keeps this session (and queues messages for it) while the ingest is down. Two instances must not share it.'),
      protocolVersion: z
        .union([z.literal(4), z.literal(5)])
        .default(5)
        .describe('5 (MQTT 5: receiveMaximum and session expiry honoured) or 4 (MQTT 3.1.1, for brokers without 5; then the broker\'s own in-flight limit caps each batch).'),
      keepaliveSeconds: z.number().int().min(5).max(3600).default(30).describe('MQTT keep-alive.'),
      caFile: z.string().min(1).optional().describe('CA certificate (PEM) for mqtts:// or wss:// with a private CA.'),
    })
    .prefault({})
    .describe('The MQTT broker.'),
  shareGroup: idSchema('share group', 'ledger')
    .optional()
    .describe('Subscribe with $share/{shareGroup}/...: every ingest process in the group takes a part of the messages and each message is written once. Left out: one ingest takes everything.'),
  units: z.array(idSchema('unit id', 'thcs-q1-01')).min(1).optional().describe('Only these units (default: every unit).'),
  sessionExpirySeconds: z
    .number()
    .int()
    .min(60)
    .max(0xfffffffe)
    .default(7 * 86_400)
    .describe('How long the broker keeps the session (and queues messages) while the ingest is away, MQTT 5 only.'),
  receiveMaximum: z.number().int().min(1).max(65_535).default(1000).describe('QoS 1 messages the broker may have unacknowledged at once (MQTT 5): the largest batch.'),
  reconnect: z
    .strictObject({
      minMs: z.number().int().min(10).default(500).describe('First wait before reconnecting.'),
      maxMs: z.number().int().min(100).default(30_000).describe('Longest wait; the wait doubles from minMs.'),
    })
    .prefault({})
    .describe('Reconnecting after the broker went away.'),
  healthIntervalSeconds: z.number().min(0).default(60).describe('How often a health line (connected, received, committed, acknowledged) is logged; 0: never.'),
  log: z
    .strictObject({ level: z.enum(logLevels).default('info').describe('Lowest level logged.') })
    .prefault({})
    .describe('Logging.'),
});
export type IngestConfig = z.infer<typeof ingestConfigSchema>;

export type IngestConfigIssue = ConfigIssue;

export class IngestConfigError extends Error {
  override readonly name = 'IngestConfigError';
  constructor(
    readonly issues: readonly IngestConfigIssue[],
    readonly source?: string,
  ) {
    super(listIssues(`ingest config${source === undefined ? '' : ` ${source}`} is invalid:`, issues));
  }
}

/** Validates a parsed value; returns the config with defaults. Throws IngestConfigError. */
export function parseIngestConfig(value: unknown, source?: string): IngestConfig {
  const result = ingestConfigSchema.safeParse(value ?? {});
  if (!result.success) throw new IngestConfigError(zodIssues(result.error), source);
  const c = result.data;
  if (c.reconnect.maxMs < c.reconnect.minMs) throw new IngestConfigError([{ path: 'reconnect.maxMs', message: `must be at least reconnect.minMs (${c.reconnect.minMs})` }], source);
  if (c.broker.password && c.broker.passwordEnv) throw new IngestConfigError([{ path: 'broker.passwordEnv', message: 'give password or passwordEnv, not both' }], source);
  return c;
}

/** Reads `file` (.yaml, .yml or .json) and validates it. Throws IngestConfigError. */
export async function loadIngestConfig(file: string): Promise<IngestConfig> {
  const read = await readConfigFile(file);
  if ('issues' in read) throw new IngestConfigError(read.issues, file);
  return parseIngestConfig(read.value, file);
}

/** The password from the config or its environment variable; throws IngestConfigError if that variable is unset. */
export function ingestPassword(config: IngestConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (config.broker.password) return config.broker.password;
  if (!config.broker.passwordEnv) return undefined;
  const value = env[config.broker.passwordEnv];
  if (!value) throw new IngestConfigError([{ path: 'broker.passwordEnv', message: `the environment variable ${config.broker.passwordEnv} is not set` }]);
  return value;
}
