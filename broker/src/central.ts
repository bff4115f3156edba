/**
 * `stemlab central`, first version: an Aedes broker on a TCP port with the access policy
 * (security/policy.ts) and then the ingest on its publish path, writing the ledger in
 * `{dataDir}/ledger.sqlite` (gateway credentials live in the same file), and, with `http`, the HTTP
 * API (api/server.ts). The dashboard joins it later (issue 5).
 */
import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApi } from './api/server.ts';
import { Ingest, type IngestOptions } from './ingest/ingest.ts';
import { openLedger, type Ledger, type LedgerChoice } from './ledger/ledger.ts';
import { openCredentialsDb } from './security/credentials.ts';
import { seedRegistry } from './registry/fleet.ts';
import { SecurityPolicy, type SecurityOptions } from './security/policy.ts';

export interface CentralOptions {
  dataDir: string;
  /** Where the broker listens; port 0 takes a free port (see mqttUrl). */
  mqtt: { host: string; port: number };
  log?: Logger;
  /** Batching knobs, for tests and benchmarks. */
  ingest?: Pick<IngestOptions, 'maxBatch' | 'maxDelayMs' | 'stopTimeoutMs'>;
  /** Access and limits (security/policy.ts); left out, anonymous clients are refused. */
  security?: SecurityOptions;
  /** The HTTP API (api/server.ts); port 0 takes a free port (see httpUrl). Left out, no HTTP. */
  http?: { host: string; port: number };
  /** How long a person's session lasts after login (default 12). */
  sessionHours?: number;
  /** Where the usage ledger lives (central.yaml `ledger`); SQLite in dataDir by default. */
  ledger?: LedgerChoice;
}

export interface Central {
  broker: Aedes;
  ledger: Ledger;
  ingest: Ingest;
  /** The access policy: `security.refusals` counts what it refused, by reason. */
  security: SecurityPolicy;
  /** e.g. mqtt://127.0.0.1:1883, with the port actually bound. */
  mqttUrl: string;
  /** e.g. http://127.0.0.1:8080, with the port actually bound; undefined without `http`. */
  httpUrl: string | undefined;
  /** Closes the listener, the broker (and its clients), writes what the ingest holds, closes the ledger. */
  stop(): Promise<void>;
}

export async function startCentral(options: CentralOptions): Promise<Central> {
  const root = options.log ?? pino({ level: 'info' });
  const log = root.child({ module: 'central' });
  mkdirSync(options.dataDir, { recursive: true });
  const stateFile = join(options.dataDir, 'ledger.sqlite');
  const ledger = await openLedger(options.ledger?.kind === 'postgres' ? options.ledger : { kind: 'sqlite', file: stateFile });
  const ingest = new Ingest({ ledger, log: root, ...options.ingest });
  // A connection of its own to the central's SQLite file: credential checks read while the ingest writes (WAL).
  const credentialsDb = openCredentialsDb(stateFile);
  // The fleet ships with the product: seeded once, then edited by admins (and audited).
  seedRegistry(credentialsDb);
  const security = new SecurityPolicy({
    ...options.security,
    db: credentialsDb,
    log: root,
    // The ingest stays last: it calls back only after its commit, so the PUBACK still follows it.
    next: (client, packet, callback) => ingest.authorizePublish(client, packet, callback),
  });
  let broker: Aedes | undefined;
  let server: Server | undefined;
  let api: FastifyInstance | undefined;
  let httpUrl: string | undefined;
  try {
    broker = await Aedes.createBroker({
      preConnect: security.preConnect,
      authenticate: security.authenticate,
      authorizePublish: security.authorizePublish,
      authorizeSubscribe: security.authorizeSubscribe,
      // `gw:{unit}:{gateway}` outgrows MQTT 3.1's 23 characters; ids are two slugs of up to 64.
      maxClientsIdLength: 140,
    });
    const b = broker;
    b.on('client', (client) => ingest.clientConnected(client));
    b.on('clientDisconnect', (client) => ingest.clientDisconnected(client));
    b.on('clientError', (client, err) => log.debug({ client: client.id, err: err.message }, 'client error'));
    b.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection error'));
    server = createServer((socket: Socket) => {
      // Without it a QoS 1 round trip stalls ~40 ms on Nagle + the peer's delayed ACK.
      socket.setNoDelay(true);
      security.guard(b.handle(socket));
    });
    await listen(server, options.mqtt.port, options.mqtt.host);
    if (options.http) {
      api = buildApi({ db: credentialsDb, ledger, ingest, refusals: security.refusals, sessionHours: options.sessionHours, log: root });
      const url = new URL(await api.listen({ host: options.http.host, port: options.http.port }));
      if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
      httpUrl = url.origin;
    }
  } catch (err) {
    await api?.close();
    server?.close();
    if (broker) await new Promise<void>((resolve) => broker?.close(resolve));
    await ingest.stop();
    security.stop();
    credentialsDb.close();
    await ledger.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const mqttUrl = `mqtt://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  log.info({ mqtt: mqttUrl, http: httpUrl, ledger: ledger.where }, 'central started');
  const a = api;

  const b = broker;
  const s = server;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await a?.close();
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      // Closing the broker closes every client: their wills and disconnects still reach the ingest.
      await new Promise<void>((resolve) => b.close(resolve));
      await closed;
      await ingest.stop();
      security.stop();
      credentialsDb.close();
      await ledger.close();
      log.info('central stopped');
    })());
  return { broker: b, ledger, ingest, security, mqttUrl, httpUrl, stop };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
