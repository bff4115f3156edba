/**
 * The ingest as an MQTT client of any standard broker (Mosquitto, EMQX, HiveMQ...), so that a
 * city can put the ledger behind a broker (cluster) it already runs: `stemlab ingest`. It
 * subscribes to what gateways publish (state, kit state, usage, telemetry; not commands), feeds
 * every message to the same Ingest as the central's own broker (validation, batching, dead
 * letters), and acknowledges each QoS 1 message to the broker only after the ledger committed it.
 *
 * Delaying the PUBACK with mqtt.js 5.16: node_modules/mqtt/build/lib/handlers/publish.js
 * (`case 1`) sends the PUBACK in the callback of `client.handleMessage(packet, callback)`, and
 * node_modules/mqtt/build/lib/client.js (`connect()`, `work`/`nextTickWork`) handles incoming
 * packets strictly one at a time: the next PUBLISH is parsed only when that callback returns.
 * Holding the callback until the commit would thus commit one message per fsync. `customHandleAcks`
 * (MQTT 5 only) runs before `handleMessage` in the same chain, so it serializes the same way. So
 * `handleMessage` answers at once with an error, which makes publish.js skip its own PUBACK (and
 * `nextTickWork` ignores the error and reads on), and this file sends the PUBACK itself through the
 * client's `_sendPacket` once the batch has committed. Every message the broker lets through its
 * in-flight window (MQTT 5 Receive Maximum, `receiveMaximum`) then shares one commit.
 *
 * Rules that follow from acknowledging late:
 * - PUBACKs go out in the order the PUBLISHes came [MQTT-4.6.0-2]: a committed message waits for
 *   the ones before it.
 * - A PUBACK belongs to the connection that received the PUBLISH: after a reconnect a packet id
 *   may name another message, so an acknowledgement for a closed connection is dropped (the
 *   broker resends the message in the resumed session [MQTT-4.4.0-1]; the ledger stores an event
 *   once per event id). mqtt.js itself would queue it for the next connection: one more reason
 *   not to use its own PUBACK path here.
 * - A message the ledger could not take is not acknowledged: the connection is dropped so the
 *   broker sends it again after the reconnect, with backoff.
 *
 * Sessions: a fixed client id, clean: false and (MQTT 5) a session expiry, so the broker queues
 * what gateways publish while the ingest is down. With `shareGroup`, subscriptions are
 * `$share/{group}/...` and the broker gives each message to one member of the group.
 *
 * Identity: a third-party broker does not tell who published, so a message is attributed by its
 * topic alone, and the broker's ACL must keep each gateway to its own topics
 * (docs/ingest-on-any-broker.md). Presence comes from births and wills only: the broker's
 * connect and disconnect events are not visible to a client.
 */
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { pino, type Logger } from 'pino';
import type { PublishPacket } from 'aedes';
import { Backoff, TOPIC_ROOT } from '@stemlab/protocol';
import type { Ingest } from './ingest.ts';

export interface IngestClientOptions {
  ingest: Ingest;
  /** mqtt://host:port, mqtts://, ws://, wss:// */
  url: string;
  /** Fixed per instance: the broker's session (and its queue) is keyed by it. */
  clientId: string;
  username?: string;
  password?: string;
  /** CA certificate(s) for TLS with a private CA. */
  ca?: Buffer;
  /** 5 (default) or 4 (MQTT 3.1.1). */
  protocolVersion?: 4 | 5;
  /** `$share/{shareGroup}/...` subscriptions; left out, plain subscriptions. */
  shareGroup?: string;
  /** Only these units' topics; left out, every unit. */
  units?: readonly string[];
  /** MQTT 5: how long the broker keeps the session while the ingest is away (default a week). */
  sessionExpirySeconds?: number;
  /** MQTT 5: unacknowledged QoS 1 messages the broker may send at once (default 1000). */
  receiveMaximum?: number;
  keepaliveSeconds?: number;
  /** Wait before reconnecting: doubles from minMs up to maxMs (defaults 500 and 30,000), with jitter (protocol's Backoff). */
  reconnect?: { minMs: number; maxMs: number };
  /** How long stop() waits for the ledger to commit what the ingest holds (default 5000 ms). */
  stopTimeoutMs?: number;
  /** A health log line every so often (default 60,000 ms; 0: never). */
  healthIntervalMs?: number;
  log?: Logger;
}

/** What gateways publish, as topic filters (commands and replies are not the ledger's). */
export function ingestTopicFilters(units?: readonly string[], shareGroup?: string): string[] {
  const prefix = shareGroup ? `$share/${shareGroup}/` : '';
  return (units ?? ['+']).flatMap((unit) =>
    ['state', 'kit/+/state', 'usage', 'telemetry/+/+'].map((rest) => `${prefix}${TOPIC_ROOT}/${unit}/+/${rest}`),
  );
}

interface Pending {
  messageId: number;
  committed: boolean;
}

/** One network connection: its PUBLISHes waiting for their commit, in arrival order. */
interface Connection {
  stream: MqttClient['stream'];
  pending: Pending[];
  closed: boolean;
}

/** handleMessage's answer that makes mqtt.js skip its own PUBACK (see the top of this file). */
const ACK_DEFERRED = new Error('PUBACK deferred until the ledger commit');

/** CONNACK codes that another try will not fix: bad credentials, not authorized, banned. */
const FATAL_CONNACK = new Set([4, 5, 0x86, 0x87, 0x8a, 0x8c]);

export class IngestClient extends EventEmitter<{
  connected: [{ sessionPresent: boolean }];
  disconnected: [];
  acked: [number];
  /** The client stopped on its own: the broker refused its credentials or a subscription. */
  fatal: [Error];
}> {
  readonly stats = { connects: 0, received: 0, acked: 0, notAcked: 0, failed: 0 };
  private readonly options: IngestClientOptions;
  private readonly log: Logger;
  private readonly filters: string[];
  private client: MqttClient | undefined;
  private connection: Connection | undefined;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private lastError: Error | undefined;

  constructor(options: IngestClientOptions) {
    super();
    this.options = options;
    this.log = (options.log ?? pino({ level: 'silent' })).child({ module: 'ingest-client' });
    this.filters = ingestTopicFilters(options.units, options.shareGroup);
    this.backoff = new Backoff({ minMs: options.reconnect?.minMs ?? 500, maxMs: options.reconnect?.maxMs ?? 30_000 });
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Messages received and not yet acknowledged (waiting for their commit). */
  get inFlight(): number {
    return this.connection?.pending.length ?? 0;
  }

  /**
   * Connects and subscribes. Resolves on the first subscription; rejects if the broker refuses
   * the credentials or a subscription (the ACL). A broker that cannot be reached is retried with
   * backoff until it can (start() resolves then).
   */
  start(): Promise<void> {
    if (this.state !== 'new') throw new Error('IngestClient.start: already started');
    this.state = 'running';
    const o = this.options;
    const v5 = (o.protocolVersion ?? 5) === 5;
    const clientOptions: IClientOptions = {
      clientId: o.clientId,
      clean: false,
      protocolVersion: o.protocolVersion ?? 5,
      keepalive: o.keepaliveSeconds ?? 30,
      // Reconnects are this file's (backoff), and so are subscriptions (checked on every connect).
      reconnectPeriod: 0,
      resubscribe: false,
      connectTimeout: 10_000,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.ca ? { ca: o.ca } : {}),
      // MQTT 5 ends a session when the connection ends unless it has an expiry [MQTT-3.1.2-23].
      ...(v5 ? { properties: { sessionExpiryInterval: o.sessionExpirySeconds ?? 7 * 86_400, receiveMaximum: o.receiveMaximum ?? 1000 } } : {}),
    };
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve();
      };
      const client = mqtt.connect(o.url, { ...clientOptions, manualConnect: true });
      this.client = client;
      client.handleMessage = (packet, callback) => this.onMessage(packet, callback);
      client.on('connect', (connack) => {
        this.onConnect(connack).then(
          (subscribed) => subscribed && settle(),
          (err: Error) => this.fail(err, settle),
        );
      });
      client.on('error', (err) => {
        this.lastError = err;
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'number' && FATAL_CONNACK.has(code)) {
          const refused = new Error(`${o.url} refused the ingest's connection: ${err.message}; check broker.username / password and the broker's ACL`);
          this.fail(refused, settle);
        } else {
          this.log.warn({ url: o.url, err: err.message }, 'broker connection error');
        }
      });
      client.on('close', () => this.onClose());
      client.connect();
      this.startHealth();
    });
  }

  /**
   * Stops taking messages (what arrives now is not acknowledged: the broker keeps it for the
   * next session), waits for the ledger to commit what the ingest holds and acknowledges it, then
   * disconnects, leaving the session on the broker. The Ingest and its ledger stay open.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    clearTimeout(this.reconnectTimer);
    clearInterval(this.healthTimer);
    if (wasRunning) {
      this.options.ingest.flush();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.stopTimeoutMs ?? 5000)));
      await Promise.race([this.options.ingest.drain(), timeout]);
      clearTimeout(timer);
    }
    const left = this.inFlight;
    if (left > 0) this.log.warn({ messages: left }, 'stopping with messages not committed; the broker will send them again');
    // The PUBACKs were written before: DISCONNECT follows them on the same stream.
    await this.client?.endAsync().catch((err: unknown) => this.log.warn({ err: String(err) }, 'disconnect failed'));
    this.state = 'stopped';
    this.log.info({ ...this.stats }, 'ingest client stopped');
  }

  /** Something another try will not fix: stop, and tell start()'s caller or the 'fatal' listeners. */
  private fail(err: Error, settleStart: (err: Error) => void): void {
    if (this.state !== 'running') return;
    this.log.error({ err: err.message }, 'ingest client stopping');
    settleStart(err);
    this.emit('fatal', err);
    void this.stop();
  }

  /** Subscribes; false if the connection ended meanwhile (the next one tries again); throws if the broker refused. */
  private async onConnect(connack: IConnackPacket): Promise<boolean> {
    const client = this.client as MqttClient;
    this.stats.connects++;
    this.backoff.reset();
    this.connection = { stream: client.stream, pending: [], closed: false };
    const sessionPresent = connack.sessionPresent;
    this.log.info({ url: this.options.url, clientId: this.options.clientId, sessionPresent, shareGroup: this.options.shareGroup }, 'connected to the broker');
    const v5 = (this.options.protocolVersion ?? 5) === 5;
    // An MQTT 5 broker says in its CONNACK whether it offers $share [MQTT 5, 3.2.2.3.15].
    if (this.options.shareGroup && connack.properties?.sharedSubscriptionAvailable === false) {
      throw new Error(`${this.options.url} does not offer shared subscriptions: leave shareGroup out and run one ingest process`);
    }
    // rap: keep the retain flag (an empty retained message clears state, it is not data); rh 1:
    // the retained states only when the subscription is new, not on every reconnect.
    let granted;
    try {
      granted = await client.subscribeAsync(this.filters, { qos: 1, ...(v5 ? { rap: true, rh: 1 } : {}) });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'subscribing failed; trying again on the next connection');
      return false;
    }
    const refused = granted.filter((g) => g.qos >= 0x80);
    if (refused.length > 0) {
      throw new Error(
        `the broker refused the subscription to ${refused.map((g) => `${g.topic} (code 0x${g.qos.toString(16)})`).join(', ')}; its ACL must let the ingest's user read ${TOPIC_ROOT}/#${this.options.shareGroup ? ' and subscribe to $share/...' : ''}`,
      );
    }
    this.log.info({ filters: this.filters }, 'subscribed');
    this.emit('connected', { sessionPresent });
    return true;
  }

  private onMessage(packet: IPublishPacket, callback: (error?: Error) => void): void {
    if (this.state !== 'running') {
      // Not taken, not acknowledged: the broker keeps it in the session (QoS 1) for next time.
      this.stats.notAcked++;
      return callback(packet.qos > 0 ? ACK_DEFERRED : undefined);
    }
    this.stats.received++;
    const client = this.client as MqttClient;
    if (!this.connection || this.connection.stream !== client.stream) this.connection = { stream: client.stream, pending: [], closed: false };
    const connection = this.connection;
    // The Ingest reads topic, payload, qos and retain (aedes's PublishPacket has the same fields).
    const publish = packet as unknown as PublishPacket;
    if (packet.qos === 0 || packet.messageId === undefined) {
      this.options.ingest.authorizePublish(null, publish, () => undefined);
      return callback();
    }
    const entry: Pending = { messageId: packet.messageId, committed: false };
    connection.pending.push(entry);
    this.options.ingest.authorizePublish(null, publish, (err) => this.answered(connection, entry, err ?? undefined));
    callback(ACK_DEFERRED);
  }

  /** The ledger's answer for one QoS 1 message: acknowledge it, and any committed ones behind it. */
  private answered(connection: Connection, entry: Pending, err: Error | undefined): void {
    if (err) {
      this.stats.failed++;
      if (connection.closed) return;
      this.log.error({ err: err.message, messageId: entry.messageId }, 'the ledger did not take a message; reconnecting so that the broker sends it again');
      connection.closed = true;
      connection.stream.destroy();
      return;
    }
    entry.committed = true;
    if (connection.closed) return;
    let acked = 0;
    // [MQTT-4.6.0-2] PUBACKs in the order of the PUBLISHes.
    while (connection.pending[0]?.committed) {
      const { messageId } = connection.pending.shift() as Pending;
      (this.client as unknown as { _sendPacket(packet: object): void })._sendPacket({ cmd: 'puback', messageId, reasonCode: 0 });
      acked++;
    }
    if (acked > 0) {
      this.stats.acked += acked;
      this.emit('acked', acked);
    }
  }

  private onClose(): void {
    if (this.connection) this.connection.closed = true;
    if (this.state !== 'running') return;
    const delay = this.backoff.next();
    this.log.warn({ url: this.options.url, err: this.lastError?.message, reconnectInMs: delay, unacknowledged: this.connection?.pending.length ?? 0 }, 'broker connection lost');
    this.lastError = undefined;
    this.emit('disconnected');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.state === 'running') this.client?.reconnect();
    }, delay);
  }

  private startHealth(): void {
    const every = this.options.healthIntervalMs ?? 60_000;
    if (every <= 0) return;
    this.healthTimer = setInterval(() => {
      const ingest = this.options.ingest.stats;
      this.log.info({ connected: this.connected, inFlight: this.inFlight, ...this.stats, commits: ingest.commits, ledgerFailed: ingest.failed }, 'ingest health');
    }, every);
    this.healthTimer.unref();
  }
}
