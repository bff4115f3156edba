/**
 * `stemlab central`: an Aedes broker with the access policy (security/policy.ts) and then the
 * ingest on its publish path, writing the ledger in `{dataDir}/ledger.sqlite` or PostgreSQL, and,
 * with `http`, the HTTP API (api/server.ts). The central's own state (gateway credentials,
 * accounts, registry, audit: central-state/state.ts) lives with the ledger, so that centrals on one
 * PostgreSQL schema share it.
 *
 * Listeners (transport/): plain MQTT always, MQTT over TLS and MQTT over WebSocket (ws or wss)
 * when configured, each through the same security guard. The broker's own state (retained
 * messages, persistent sessions, queued QoS 1 commands) is on disk by default, in Redis for a
 * cluster (state/). In a cluster every node runs this same function against one Redis; each
 * node's ingest writes only what its own clients publish (authorizePublish runs on the node the
 * client is connected to), so every message reaches the ledger once.
 */
import type { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApi } from './api/server.ts';
import type { LoginLimitOptions } from './security/login-limit.ts';
import { Ingest, type IngestOptions } from './ingest/ingest.ts';
import { openLedger, type Ledger, type LedgerChoice } from './ledger/ledger.ts';
import { EstopBoard } from './live/estops.ts';
import { openCentralState } from './central-state/state.ts';
import { listUnits, seedRegistry } from './registry/fleet.ts';
import { ReportArchive, scheduleReports } from './reports/archive.ts';
import { quarterlyReport } from './reports/quarterly.ts';
import { DEFAULT_RETENTION, Retention, type RetentionOptions } from './retention.ts';
import { SecurityPolicy, type SecurityOptions } from './security/policy.ts';
import { announceNode, brokerId, openCluster, type ClusterOptions } from './state/emitter.ts';
import { openPersistence, type BrokerPersistence, type StateOptions } from './state/persistence.ts';
import { skipCleanAcks } from './state/clean-acks.ts';
import { InflightPublishes } from './state/inflight.ts';
import { skipCleanIncomingOfRefused } from './state/clean-incoming.ts';
import { Takeovers } from './state/takeover.ts';
import { announceClientsOnlyToListeners } from './state/client-announcements.ts';
import { readCerts, type CertFiles } from './transport/certs.ts';
import type { Bind, Handle, Listener } from './transport/listener.ts';
import { leanCloseWatch, leanPackets, leanParser, leanTables } from './transport/client-memory.ts';
import { listenTcp } from './transport/tcp.ts';
import { listenTls } from './transport/tls.ts';
import { listenWebSocket, type WebSocketOptions } from './transport/ws.ts';
import { batchWrites } from './transport/write-batching.ts';

export interface CentralOptions {
  dataDir: string;
  /** Where the broker listens; port 0 takes a free port (see mqttUrl). */
  mqtt: { host: string; port: number };
  log?: Logger;
  /** Batching knobs, for tests and benchmarks. */
  ingest?: Pick<IngestOptions, 'maxBatch' | 'maxDelayMs' | 'presenceDelayMs' | 'stopTimeoutMs' | 'now'>;
  /** Access and limits (security/policy.ts); left out, anonymous clients are refused. */
  security?: SecurityOptions;
  /** The HTTP API (api/server.ts); port 0 takes a free port (see httpUrl). Left out, no HTTP. */
  http?: { host: string; port: number; silentAfterDays?: number; loginLimit?: LoginLimitOptions; trustProxy?: string[]; tls?: CertFiles | undefined; /** The API's clock (statuses, alerts): a fleet simulation gives its simulated one. */ now?: () => number };
  /** How long a person's session lasts after login (default 12). */
  sessionHours?: number;
  /** The quarterly reports archived before each deadline (reports/archive.ts); on by default. */
  reports?: { archive?: boolean; minutesBeforeDeadline?: number; /** The clock, for tests. */ now?: () => number };
  /** Where the usage ledger lives (central.yaml `ledger`); SQLite in dataDir by default. */
  ledger?: LedgerChoice;
  /** MQTT over TLS (mqtts://) from PEM files; left out, none. */
  tls?: Bind & CertFiles;
  /** MQTT over WebSocket, ws:// or (with tls) wss://; left out, none. */
  websocket?: WebSocketOptions;
  /** The broker's own state (state/persistence.ts): default disk, redis with `cluster`. */
  state?: StateOptions;
  /** Share subscriptions, retained messages and sessions with other nodes over this Redis. */
  cluster?: ClusterOptions;
  /** How long dead letters, latest telemetry and retained messages are kept (retention.ts); `now`: the clock, for tests. */
  retention?: Partial<RetentionOptions> & { now?: () => number };
}

export interface Central {
  broker: Aedes;
  ledger: Ledger;
  ingest: Ingest;
  /** The access policy: `security.refusals` counts what it refused, by reason. */
  security: SecurityPolicy;
  /** e.g. mqtt://127.0.0.1:1883, with the port actually bound. */
  mqttUrl: string;
  /** Every listener: mqtt first, then mqtts, ws or wss as configured. */
  listeners: readonly Listener[];
  /** Where the broker's state is: a directory, a Redis address or 'memory'. */
  brokerState: string;
  /** e.g. http://127.0.0.1:8080, with the port actually bound; undefined without `http`. */
  httpUrl: string | undefined;
  /** The quarterly reports archived before their deadlines; undefined with `reports.archive: false`. */
  archive: ReportArchive | undefined;
  /** The pruning of dead letters, latest telemetry and retained messages (retention.ts); `sweep()` runs one now. */
  retention: Retention;
  /** The gateways' e-stop latches, from their retained states (live/estops.ts). */
  estops: EstopBoard;
  /** Closes the listener, the broker (and its clients), writes what the ingest holds, closes the ledger. */
  stop(): Promise<void>;
}

export async function startCentral(options: CentralOptions): Promise<Central> {
  const root = options.log ?? pino({ level: 'info' });
  const log = root.child({ module: 'central' });
  mkdirSync(options.dataDir, { recursive: true });
  const stateFile = join(options.dataDir, 'ledger.sqlite');
  const ledger = await openLedger(options.ledger?.kind === 'postgres' ? options.ledger : { kind: 'sqlite', file: stateFile });
  // A connection (or pool) of its own: credential checks read while the ingest writes (WAL on SQLite).
  const centralState = await openCentralState(options.ledger, options.dataDir, log).catch(async (err: unknown) => {
    await ledger.close();
    throw err;
  });
  try {
    // The fleet ships with the product: seeded once, then edited by admins (and audited).
    await seedRegistry(centralState);
  } catch (err) {
    await centralState.close();
    await ledger.close();
    throw err;
  }
  let broker: Aedes | undefined;
  const { now: retentionNow, ...retentionOptions } = options.retention ?? {};
  const retention = new Retention({ ...DEFAULT_RETENTION, ...retentionOptions }, ledger, () => broker, root.child({ module: 'retention' }), retentionNow);
  // The security policy (below) holds the dead-letter quota; the ingest asks it only once the broker runs.
  const ingest = new Ingest({ ledger, log: root, deadLetterAllowed: (gateway) => security.quotas.deadLetterAllowed(gateway), ...options.ingest });
  const security = new SecurityPolicy({
    ...options.security,
    db: centralState,
    log: root,
    // The ingest stays last: it calls back only after its commit, so the PUBACK still follows it.
    next: (client, packet, callback) => {
      retention.published(packet);
      ingest.authorizePublish(client, packet, callback);
    },
  });
  let state: BrokerPersistence | undefined;
  let inflight: InflightPublishes | undefined;
  const listeners: Listener[] = [];
  let api: FastifyInstance | undefined;
  let httpUrl: string | undefined;
  let cluster: Awaited<ReturnType<typeof openCluster>> | undefined;
  const archive = options.reports?.archive === false ? undefined : new ReportArchive(join(options.dataDir, 'reports'));
  const estops = new EstopBoard();
  try {
    cluster = options.cluster ? await openCluster(options.cluster, log) : undefined;
    const mq = cluster?.mq;
    // Before Aedes adds its own listeners to the emitter (state/takeover.ts says why).
    const takeovers = mq ? new Takeovers(mq) : undefined;
    try {
      state = await openPersistence(options.state ?? (options.cluster ? { kind: 'redis', url: options.cluster.redis } : { kind: 'disk' }), options.dataDir, options.state ? 'state.url' : 'cluster.redis', log);
      leanPackets();
      broker = await Aedes.createBroker({
        id: brokerId(options.cluster?.nodeId),
        ...(options.cluster?.heartbeatSeconds ? { heartbeatInterval: options.cluster.heartbeatSeconds * 1000 } : {}),
        ...(mq ? { mq } : {}),
        ...(state.persistence ? { persistence: skipCleanAcks(state.persistence) } : {}),
        preConnect: security.preConnect,
        authenticate: security.authenticate,
        // Each client's PUBACKs in the order its PUBLISHes came (ingest/puback-order.ts), whichever hook answers.
        authorizePublish: ingest.pubacks.inOrder(security.authorizePublish),
        authorizeSubscribe: security.authorizeSubscribe,
        // `gw:{unit}:{gateway}` outgrows MQTT 3.1's 23 characters; ids are two slugs of up to 64.
        maxClientsIdLength: 140,
      });
    } catch (err) {
      if (!broker) await new Promise<void>((resolve) => (mq ? mq.close(() => resolve()) : resolve()));
      throw err;
    }
    const b = broker;
    skipCleanIncomingOfRefused((b as unknown as { persistence: object }).persistence);
    // Alone, the $SYS announcements of each connect and close go out only to a '$' subscriber (state/client-announcements.ts).
    if (!mq) announceClientsOnlyToListeners(b);
    takeovers?.bind(b);
    inflight = new InflightPublishes(b);
    b.on('client', (client) => ingest.clientConnected(client));
    b.on('clientDisconnect', (client) => {
      if (takeovers?.has(client)) return log.debug({ client: client.id }, 'client moved to another node; still connected');
      ingest.clientDisconnected(client);
    });
    b.on('clientError', (client, err) => log.debug({ client: client.id, err: err.message }, 'client error'));
    b.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection error'));
    // Aedes emits 'error' when publishing the wills of a dead cluster node fails (aedes.js
    // _clearWills); its typings omit the event, and unheard it would crash the central.
    (b as unknown as EventEmitter).on('error', (err: Error) => log.warn({ err: err.message }, 'broker error (e.g. publishing a dead node\'s wills); retried at the next check'));
    if (mq) await announceNode(b);
    await estops.attach(b);
    const handle: Handle = (stream, request) => {
      batchWrites(stream); // one writev per connection and event-loop turn (transport/write-batching.ts)
      const client = b.handle(stream, request);
      leanParser(client);
      leanCloseWatch(client);
      leanTables(client);
      security.guard(client);
    };
    listeners.push(await listenTcp(options.mqtt, handle));
    if (options.tls) listeners.push(await listenTls(options.tls, handle, (err) => log.debug({ err: err.message }, 'TLS handshake failed')));
    if (options.websocket) {
      // A WebSocket message may hold a few MQTT packets: at least 1 MiB, more if packets may be larger; 0 = no limit.
      const packetLimit = options.security?.maxPacketBytes;
      const maxMessageBytes = packetLimit === 0 ? undefined : Math.max(packetLimit ?? 0, 1 << 20);
      listeners.push(await listenWebSocket({ ...options.websocket, maxMessageBytes }, handle));
    }
    if (options.http) {
      api = buildApi({ db: centralState, ledger, ingest, archive, estops, now: options.http.now, refusals: security.refusals, loginWork: security.loginWork, quotaHits: () => security.quotas.hits(), ...(options.http.tls ? { https: readCerts(options.http.tls, 'http.tls') } : {}), sessionHours: options.sessionHours, loginLimit: options.http.loginLimit, trustProxy: options.http.trustProxy, silentAfterDays: options.http.silentAfterDays, log: root });
      const url = new URL(await api.listen({ host: options.http.host, port: options.http.port }));
      if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
      httpUrl = url.origin;
    }
  } catch (err) {
    await api?.close();
    for (const listener of listeners) await listener.close();
    if (broker) await new Promise<void>((resolve) => broker?.close(resolve));
    await closeState(state, log);
    await cluster?.agreement.close();
    await ingest.stop();
    security.stop();
    await centralState.close();
    await ledger.close();
    throw err;
  }
  const mqttUrl = listeners[0]!.url;
  log.info({ listeners: listeners.map((l) => l.url), http: httpUrl, ledger: ledger.where, brokerState: state.where, brokerId: broker.id }, 'central started');
  retention.start();
  const a = api;
  const reportsNow = options.reports?.now ?? Date.now;
  const schedule =
    archive &&
    scheduleReports({
      archive,
      produce: async (quarter) => quarterlyReport(ledger, quarter, { units: await listUnits(centralState), now: reportsNow() }),
      minutesBeforeDeadline: options.reports?.minutesBeforeDeadline,
      now: reportsNow,
      log: root.child({ module: 'reports' }),
    });

  const b = broker;
  const st = state;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      schedule?.stop();
      await schedule?.settled();
      await retention.stop();
      await a?.close();
      // Closing the broker closes every client: their wills and disconnects still reach the ingest.
      await new Promise<void>((resolve) => b.close(resolve));
      for (const listener of listeners) await listener.close();
      // What was acknowledged is stored, and the closed clients' wills are published, before the
      // state closes (state/inflight.ts); the state then waits for their deletion (state/pending-writes.ts).
      await inflight?.settled(5000);
      await closeState(st, log);
      await cluster?.agreement.close();
      await ingest.stop();
      security.stop();
      await centralState.close();
      await ledger.close();
      log.info('central stopped');
    })());
  return { broker: b, ledger, ingest, security, mqttUrl, listeners, brokerState: st.where, httpUrl, archive, retention, estops, stop };
}

/** After the broker: its last writes (a will deleted, a session saved) are done or failed by then. */
async function closeState(state: BrokerPersistence | undefined, log: Logger): Promise<void> {
  try {
    await state?.close();
  } catch (err) {
    log.warn({ err }, 'closing the broker state failed');
  }
}
