/**
 * central.yaml: the config of `stemlab central`, one zod schema that holds the defaults and the
 * types. `loadCentralConfig` reads YAML or JSON (by extension) and throws a CentralConfigError
 * whose issues each name the field (or the line, for a syntax error) and what is wrong.
 * Relative paths (dataDir) are taken from the working directory, as every CLI path is.
 */
import { z } from 'zod';
import { listIssues } from '@stemlab/protocol';
import { readConfigFile, zodIssues, type ConfigIssue } from './config-file.ts';
import { isValidFilter } from './security/topic-filters.ts';
import { DEFAULT_ANONYMOUS_RIGHTS } from './security/rights.ts';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const stateKinds = ['disk', 'memory', 'redis'] as const;
/** Prefix of the keys a cluster's nodes keep in their Redis (`cluster.keyPrefix`). */
export const DEFAULT_KEY_PREFIX = 'stemlab:';

const certFields = {
  cert: z.string().min(1).describe('PEM file of the server certificate (with its chain), e.g. /etc/stemlab/central.crt.'),
  key: z.string().min(1).describe('PEM file of its private key; readable by the user the central runs as, by nobody else.'),
};

/** Rules across sections; the Markdown reference lists them. */
export const centralCrossFieldRules = [
  '`state.kind: redis` needs `state.url`.',
  'With `cluster`, `state.kind` is redis or left out: nodes share their sessions and retained messages only through Redis.',
] as const;

/** Where the usage ledger lives; shared by the central and `stemlab ingest` (ingest/client-config.ts). */
const topicFilter = z.string().refine(isValidFilter, 'an MQTT topic filter: levels split by /, + alone in a level, # alone and last (e.g. stemlab/v1/+/+/cmd/#)');
// Given, a rule's lists default to "every topic" and "none denied"; left out, the whole rule is
// the safe default's (DEFAULT_ANONYMOUS_RIGHTS), so writing only `subscribe` opens no command.
const filterRule = (what: string, whenLeftOut: { allow: readonly string[]; deny: readonly string[] }) =>
  z
    .strictObject({
      allow: z.array(topicFilter).default(['#']).describe(`Topic filters anonymous clients may ${what} (\`#\`: every topic but \`$\` ones).`),
      deny: z.array(topicFilter).default([]).describe(`Topic filters they may not ${what}, over \`allow\`.`),
    })
    .default({ allow: [...whenLeftOut.allow], deny: [...whenLeftOut.deny] });
const filters = (list: readonly string[]) => (list.length ? list.map((f) => `\`${f}\``).join(', ') : 'none');

export const ledgerSectionSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('sqlite').describe('The usage ledger in the central\'s own SQLite file, {dataDir}/ledger.sqlite, with the central\'s state (gateway credentials, accounts and sessions, the registry, the audit trail): one school or a district.'),
    }),
    z.strictObject({
      kind: z.literal('postgres').describe('The usage ledger on PostgreSQL: a city. The central\'s state (gateway credentials, accounts and sessions, the registry, the audit trail) lives in the same schema, so every central on it shares them: provision a gateway or create an account once, on any node.'),
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'a PostgreSQL URL: postgres://user:password@host:5432/database')
        .describe('The database: postgres://user:password@host:5432/database.'),
      schema: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a plain schema name: lower-case letters, digits and _, not starting with a digit')
        .default('stemlab')
        .describe('The schema of the ledger\'s and the central state\'s tables, created and migrated at start.'),
      poolSize: z.number().int().min(1).max(100).default(4).describe('Connections the central keeps to the database.'),
    }),
  ])
  // Optional rather than defaulted, as `security`: an absent section means SQLite (the central applies it).
  .optional()
  .describe('Where the usage ledger lives, and with it the central\'s own state (gateway credentials, accounts, sessions, registry, audit): `{ kind: sqlite }` (the default when left out) or `{ kind: postgres, url, schema }`.');

export const centralConfigSchema = z.strictObject({
  $schema: z.string().optional().describe('Path or URL of the JSON Schema, for editors; ignored by the central.'),
  dataDir: z.string().min(1).default('data/central').describe('Directory of the ledger (ledger.sqlite), the broker state (broker-state/, unless in Redis) and other central state; created if missing.'),
  mqtt: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1').describe('Address the MQTT broker listens on; 0.0.0.0 for every interface.'),
      port: z.number().int().min(0).max(65535).default(1883).describe('TCP port of the MQTT broker; 0 takes a free one.'),
    })
    .prefault({})
    .describe('The MQTT broker the gateways connect to.'),
  tls: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1').describe('Address of the MQTT over TLS listener; 0.0.0.0 for every interface.'),
      port: z.number().int().min(0).max(65535).default(8883).describe('TCP port of MQTT over TLS (mqtts://); 0 takes a free one.'),
      ...certFields,
      ca: z
        .string()
        .min(1)
        .optional()
        .describe('PEM file of intermediate CA certificates, sent with the certificate so clients can build the chain; leave out when `cert` holds the whole chain.'),
    })
    .optional()
    .describe('MQTT over TLS (mqtts://) for gateways that reach the central across other networks. Left out, no TLS listener.'),
  websocket: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1').describe('Address of the WebSocket listener; 0.0.0.0 for every interface.'),
      port: z.number().int().min(0).max(65535).default(8083).describe('TCP port of MQTT over WebSocket; 0 takes a free one.'),
      path: z.string().regex(/^\//, 'a path starts with /, e.g. /mqtt').default('/mqtt').describe('HTTP path of the WebSocket (MQTT.js and Paho use /mqtt).'),
      tls: z.strictObject(certFields).optional().describe('Certificate files for wss://; left out, plain ws://.'),
    })
    .optional()
    .describe('MQTT over WebSocket (ws:// or wss://) for browsers. Left out, no WebSocket listener.'),
  state: z
    .strictObject({
      kind: z
        .enum(stateKinds)
        .describe('disk: LevelDB in {dataDir}/broker-state; redis: in the Redis at `url` (what a cluster uses); memory: lost on restart (tests).'),
      url: z.string().min(1).optional().describe('Redis URL for kind redis, e.g. redis://127.0.0.1:6379/0 (the number is the Redis database).'),
    })
    .optional()
    .describe(
      "The broker's own state: retained messages (births, kit states), persistent sessions and the QoS 1 commands queued for offline gateways. Left out: disk, or with `cluster` the cluster's Redis.",
    ),
  cluster: z
    .strictObject({
      redis: z.string().min(1).describe('Redis URL every node shares, e.g. redis://10.0.0.5:6379/0; messages travel over its pub/sub and the broker state lives in it.'),
      nodeId: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (up to 64)')
        .optional()
        .describe('Name of this node in logs and $SYS topics (default: the host name); a fresh suffix is added at every start.'),
      heartbeatSeconds: z
        .number()
        .min(0.1)
        .max(3600)
        .default(60)
        .describe(
          "How often each node says it is alive, in seconds. When a node dies, another publishes the wills of the gateways that were on it (they show offline) once it has missed 3 heartbeats, at its next check (every 4): 3 to 7 heartbeats after the death. Every node must have the same value (a node judges the others by its own, so a faster node would take a slower one for dead and publish its gateways' wills): a node started with another value than the running nodes' is refused. To change it, stop every node and start them all with the new value.",
        ),
      keyPrefix: z
        .string()
        .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits, _ . : - (up to 64)')
        .default(DEFAULT_KEY_PREFIX)
        .describe(
          'Prefix of the keys the nodes keep in the Redis themselves (the agreed heartbeat rate), so two clusters, or two test runs, can share one Redis. Every node of a cluster must use the same one.',
        ),
    })
    .optional()
    .describe('Run several central nodes as one broker over Redis: gateways may connect to any node. Left out, a single node.'),
  http: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1').describe('Address of the HTTP API and the dashboard; 0.0.0.0 for every interface.'),
      port: z.number().int().min(0).max(65535).default(8080).describe('TCP port of the HTTP API; 0 takes a free one.'),
      sessionHours: z.number().min(0.1).max(720).default(12).describe('How long a log-in lasts, in hours.'),
      silentAfterDays: z.number().min(0.1).max(365).default(3).describe('A unit whose gateways have all been offline longer than this many days is "silent" on the dashboard and in the alert feed (docs/unit-status.md).'),
      tls: z.strictObject(certFields).optional().describe('Certificate files to serve the API and the dashboard over HTTPS; left out, plain HTTP (put a TLS reverse proxy in front, or keep it on a closed network).'),
      loginAttempts: z
        .strictObject({
          perUser: z.number().int().min(1).default(5).describe('Failed log-ins allowed per username from one address in the window; then 429 with Retry-After.'),
          perAddress: z.number().int().min(1).default(50).describe('Failed log-ins allowed from one address (any username) in the window.'),
          windowMinutes: z.number().min(1).max(1440).default(15).describe('The window, opened by the first failure.'),
        })
        .prefault({})
        .describe('Log-in rate limit against password guessing.'),
      trustProxy: z
        .array(z.string().min(1))
        .default([])
        .describe('Addresses or CIDRs of reverse proxies in front of the central (e.g. [127.0.0.1]): their X-Forwarded-For then names the person\'s address, for the log-in limit and the logs. Empty: the TCP peer is the person.'),
    })
    .optional()
    .describe('The HTTP API for people (department viewers, teachers, technicians, admins; `stemlab user add`). Left out, no HTTP API runs.'),
  security: z
    .strictObject({
      allowAnonymous: z
        .boolean()
        .default(false)
        .describe('Let MQTT clients connect without credentials. Only for a closed lab network: anyone who reaches the port can then do what `anonymous` allows.'),
      anonymous: z
        .strictObject({
          publish: filterRule('publish to', DEFAULT_ANONYMOUS_RIGHTS.publish).describe(
            `A publish on a topic not allowed, or denied, is dropped (PUBACK sent, nothing delivered, counted as publish-not-allowed). Left out: allow ${filters(DEFAULT_ANONYMOUS_RIGHTS.publish.allow)}, deny ${filters(DEFAULT_ANONYMOUS_RIGHTS.publish.deny)}: no command, nothing on a gateway's topics.`,
          ),
          subscribe: filterRule('subscribe to', DEFAULT_ANONYMOUS_RIGHTS.subscribe).describe(
            `A subscription granted only if an allowed filter covers all of it and it overlaps no denied filter; else 0x80 in the SUBACK. Left out: allow ${filters(DEFAULT_ANONYMOUS_RIGHTS.subscribe.allow)} (every topic, a classroom display's telemetry included).`,
          ),
          retain: z.boolean().default(false).describe('May their publishes be retained? No: a retained publish is delivered but not kept (counted as retain-not-allowed), since it would outlive the client. Gateways without credentials need yes (their state is retained).'),
        })
        .optional()
        .describe(
          "What anonymous clients may do when `allowAnonymous` is on. Left out: read only on the fleet's topics: subscribe to every topic (a classroom display), publish no command (`stemlab/v1/+/+/cmd/+`), nothing on a gateway's topics (state, usage, telemetry), nothing retained; topics outside `stemlab/v1/` stay open to publish. A lab whose gateways have no credentials gives them their topics, commands still needing a person's log-in (`stemlab lesson deploy --username`): `{ publish: { deny: ['stemlab/v1/+/+/cmd/+'] }, retain: true }`.",
        ),
      maxPacketBytes: z.number().int().min(0).default(262144).describe('Largest MQTT packet accepted, in bytes; a client sending a larger one is disconnected. 0: no limit.'),
      publishesPerSecond: z.number().min(0).default(500).describe('Sustained PUBLISH packets per second one client may send; a client over it (and its burst) is disconnected. 0: no limit.'),
      publishBurst: z.number().int().min(1).default(5000).describe('PUBLISH packets a client may send at once above that rate (an outbox replayed after an outage).'),
      connectsPerSecond: z.number().min(0).default(20).describe('Sustained CONNECTs per second from one address; more are closed before CONNACK. 0: no limit.'),
      connectBurst: z.number().int().min(1).default(200).describe('CONNECTs one address may make at once above that rate (every gateway of a school after a power cut).'),
      loginAttempts: z
        .strictObject({
          perUser: z.number().int().min(1).default(5).describe('Failed MQTT log-ins allowed per username from one address in the window; then refused (0x04) without checking the password.'),
          perAddress: z.number().int().min(1).default(50).describe('Failed MQTT log-ins allowed from one address (any username) in the window.'),
          windowMinutes: z.number().min(1).max(1440).default(15).describe('The window, opened by the first failure.'),
        })
        .prefault({})
        .describe("Gateways' log-in limit against password guessing (a gateway whose secret already passed since start is let in without it)."),
      loginChecksAtOnce: z
        .number()
        .int()
        .min(1)
        .max(16)
        .default(2)
        .describe('Password checks (scrypt, ~32 MiB each) run at once, for MQTT and HTTP log-ins together; the others wait their turn, attempts from addresses that keep failing last.'),
      quotas: z
        .strictObject({
          payloadBytes: z
            .strictObject({
              usage: z.number().int().min(256).default(8192).describe('Largest usage event, in bytes.'),
              state: z.number().int().min(256).default(4096).describe("Largest gateway state (birth, will), in bytes."),
              kitState: z.number().int().min(256).default(4096).describe("Largest kit state, in bytes."),
              telemetry: z.number().int().min(64).default(2048).describe('Largest telemetry reading, in bytes.'),
              reply: z.number().int().min(256).default(65536).describe('Largest command reply (a self-test report), in bytes.'),
            })
            .prefault({})
            .describe('Largest payload per topic kind; a larger one is dropped and counted.'),
          retainedTopics: z.number().int().min(1).default(256).describe('Retained topics one gateway may hold (its state and its kits\' states); past it, messages are delivered but not retained.'),
          retainedBytes: z.number().int().min(1024).default(524288).describe('Bytes of retained payloads one gateway may hold.'),
          deadLettersPerHour: z.number().int().min(0).default(200).describe('Dead letters one gateway may cause per hour; past it they are counted and dropped. 0: no limit.'),
        })
        .prefault({})
        .describe('Per-gateway quotas, so one gateway\'s credentials cannot fill the disk. Each hit is in /metrics (stemlab_quota_hits_total), logged as a warning once an hour, and listed by GET /api/v1/security/quota-hits.'),
      loginChecksQueued: z
        .number()
        .int()
        .min(1)
        .max(100_000)
        .default(256)
        .describe('Password checks that may wait; past that the worst-placed attempt is answered "server unavailable" (MQTT 0x03, HTTP 503) and retries later.'),
    })
    // Optional rather than prefaulted: an absent section means every default (the central applies them).
    .optional()
    .describe('Who may use the broker and how much (gateway credentials: `stemlab provision gateway`). Left out: every default, anonymous access off.'),
  ledger: ledgerSectionSchema,
  retention: z
    .strictObject({
      deadLetterDays: z.number().min(1).max(3650).default(30).describe('Dead letters older than this many days are deleted.'),
      telemetryDays: z
        .number()
        .min(1)
        .max(3650)
        .default(30)
        .describe("A device's latest telemetry reading is deleted when no newer one came for this many days (a kit taken away, a sensor renamed)."),
      retainedDays: z
        .number()
        .min(1)
        .max(3650)
        .default(90)
        .describe("A retained message is deleted when nothing was published on its topic for this many days and no client of its gateway is connected (retained messages found at start count from then)."),
      sweepMinutes: z.number().min(1).max(1440).default(60).describe('How often the central prunes, in minutes (also once at start).'),
    })
    .prefault({})
    .describe('How long the central keeps what is not the usage ledger: dead letters, latest telemetry and retained messages. Usage events, presence and reports are never pruned.'),
  reports: z
    .strictObject({
      archive: z
        .boolean()
        .default(true)
        .describe("Write each quarter's report to {dataDir}/reports/{quarter}/ before its deadline (JSON, and CSV and XLSX in Vietnamese and English; the dashboard and GET /api/v1/reports/archive serve them), and at start the quarters missed while the central was down."),
      minutesBeforeDeadline: z
        .number()
        .int()
        .min(0)
        .max(20160)
        .default(60)
        .describe("How long before the deadline (17:00 Vietnam time on the 25th of the quarter's last month) the report is archived; the data received until then is in it."),
    })
    .prefault({})
    .describe('The quarterly reports the department receives.'),
  log: z
    .strictObject({ level: z.enum(logLevels).default('info').describe('Lowest level logged.') })
    .prefault({})
    .describe('Logging.'),
}).superRefine((config, ctx) => {
  if (config.state?.kind === 'redis' && config.state.url === undefined) {
    ctx.addIssue({ code: 'custom', path: ['state', 'url'], message: 'state kind redis needs the Redis URL, e.g. redis://127.0.0.1:6379/0' });
  }
  if (config.cluster && config.state && config.state.kind !== 'redis') {
    ctx.addIssue({ code: 'custom', path: ['state', 'kind'], message: `a cluster shares its broker state through Redis: set state.kind to redis or leave state out (not ${config.state.kind})` });
  }
});
export type CentralConfig = z.infer<typeof centralConfigSchema>;

export const centralConfigErrorCodes = {
  CONFIG_UNREADABLE: 'The central config could not be read or parsed (missing file, wrong extension, YAML/JSON syntax error).',
  CONFIG_INVALID: 'The central config breaks the schema; each issue names the field.',
} as const;

export type CentralConfigIssue = ConfigIssue;

export class CentralConfigError extends Error {
  override readonly name = 'CentralConfigError';
  constructor(
    readonly code: keyof typeof centralConfigErrorCodes,
    readonly issues: readonly CentralConfigIssue[],
    readonly source?: string,
  ) {
    const name = source === undefined ? 'central config' : `central config ${source}`;
    const head = code === 'CONFIG_UNREADABLE' ? `cannot read ${name}:` : `${name} is invalid:`;
    super(listIssues(head, issues));
  }
}

/** Validates a parsed value; returns the config with defaults, frozen. Throws CentralConfigError. */
export function parseCentralConfig(value: unknown, source?: string): CentralConfig {
  const result = centralConfigSchema.safeParse(value ?? {});
  if (!result.success) throw new CentralConfigError('CONFIG_INVALID', zodIssues(result.error), source);
  const config = result.data;
  Object.freeze(config.mqtt);
  Object.freeze(config.log);
  for (const section of [config.retention, config.http, config.http?.loginAttempts, config.http?.tls, config.security?.loginAttempts, config.security, config.ledger, config.reports, config.tls, config.websocket, config.websocket?.tls, config.state, config.cluster]) if (section) Object.freeze(section);
  return Object.freeze(config);
}

/** Reads `file` (.yaml, .yml or .json) and validates it. Throws CentralConfigError. */
export async function loadCentralConfig(file: string): Promise<CentralConfig> {
  const read = await readConfigFile(file);
  if ('issues' in read) throw new CentralConfigError('CONFIG_UNREADABLE', read.issues, file);
  return parseCentralConfig(read.value, file);
}
