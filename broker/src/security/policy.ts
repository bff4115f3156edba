/**
 * Who may connect, publish and subscribe: the Aedes hooks of the central, and the MQTT 3.1.1
 * rules plain Aedes 1.2 bends, each enforced where the clause is cited.
 *
 * Connect: a gateway logs in with its credentials (credentials.ts), and its client id must equal
 * its username, else it could take over another gateway's presence. Anonymous clients are refused
 * unless `allowAnonymous` (a closed lab network, the demo); even then an anonymous client may not
 * use the client id of a gateway that has credentials.
 *
 * Publish: a logged-in gateway publishes only under its own `stemlab/v1/{unit}/{gateway}/` and
 * only the contract's topics (state, kit/+/state, usage, telemetry/+/+, cmd/+/reply). MQTT 3.1.1
 * has no negative PUBACK, and an error from Aedes's authorizePublish closes the connection, which
 * would make a misconfigured gateway reconnect and resend forever. So a refused publish is
 * *dropped*: the hook calls back without error (a QoS 1 sender gets its PUBACK and stops
 * resending), after turning the packet into a non-retained, empty message on DROP_TOPIC, which
 * no client may subscribe to and no wildcard matches [MQTT-4.7.2-1]. The ingest never sees it,
 * and `refusals` counts it by reason. Anonymous clients (when allowed) are not limited to a
 * gateway's topics: the ingest still dead-letters what does not fit the client's gateway.
 *
 * Subscribe: a gateway subscribes only to its own commands (`cmd/+`, `cmd/#`, `cmd/{name}`);
 * anything else is granted 0x80 (failure) in the SUBACK [MQTT-3.9.3-2].
 *
 * Limits: packets over `maxPacketBytes` and clients over their publish rate are disconnected
 * (3.1.1 has no way to say why); connections over the per-address rate are closed before
 * CONNACK, before any password is hashed.
 */
import type { Socket } from 'node:net';
import type { AuthenticateError, Client, ConnectPacket, PublishPacket, Subscription } from 'aedes';
import { pino, type Logger } from 'pino';
import { parseGatewayClientId, parseTopic, TOPIC_ROOT, type GatewayId } from '@stemlab/protocol';
import type { Queryable } from '../ledger/sql.ts';
import { hasCredentials, verify } from './credentials.ts';

/** Where dropped publishes go: a `$` topic no client can subscribe to. */
export const DROP_TOPIC = '$stemlab/dropped';

export interface SecurityOptions {
  /** Let clients connect without credentials (default false). */
  allowAnonymous?: boolean;
  /** Largest MQTT packet accepted, fixed header included, in bytes; 0 = no limit (default 256 KiB). */
  maxPacketBytes?: number;
  /** Sustained PUBLISH packets per second a client may send; 0 = no limit (default 500). */
  publishesPerSecond?: number;
  /** Publishes a client may send in a burst above that rate (default 5000: an outbox replay). */
  publishBurst?: number;
  /** Sustained CONNECTs per second from one remote address; 0 = no limit (default 20). */
  connectsPerSecond?: number;
  /** CONNECTs one address may make in a burst (default 200: a school's gateways after a power cut). */
  connectBurst?: number;
}

export const refusalReasons = {
  'identifier-rejected': 'CONNACK 0x02: zero-length client id with CleanSession=0 [MQTT-3.1.3-8]',
  'client-id-mismatch': "CONNACK 0x02: a gateway's client id is not its username",
  'bad-credentials': 'CONNACK 0x04: unknown username, wrong or revoked secret',
  anonymous: 'CONNACK 0x05: no credentials and allowAnonymous is off',
  'gateway-id-taken': "CONNACK 0x05: an anonymous client used the client id of a gateway that has credentials",
  'connect-rate': 'connection closed before CONNACK: too many CONNECTs from one address',
  'protocol-violation': 'connection closed: a malformed packet the parser accepts (see the cited clause in the log)',
  'packet-too-large': 'connection closed: a packet larger than maxPacketBytes',
  'publish-rate': 'connection closed: the client published faster than its rate',
  'publish-foreign': "publish dropped: a gateway published under another gateway's topics",
  'publish-not-allowed': 'publish dropped: a topic outside what a gateway may publish, or a reserved topic',
  'subscribe-not-allowed': 'SUBACK 0x80: a subscription the client may not have',
} as const;
export type RefusalReason = keyof typeof refusalReasons;

type AuthorizePublish = (client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void) => void;

export interface SecurityPolicyOptions extends SecurityOptions {
  /** The central's state (central-state/state.ts), where the credentials live. */
  db: Queryable;
  /** The next authorizePublish (the ingest), for what the policy lets through. */
  next: AuthorizePublish;
  log?: Logger;
}

export class SecurityPolicy {
  /** Refusals since start, by reason (for metrics and tests). */
  readonly refusals = Object.fromEntries(Object.keys(refusalReasons).map((k) => [k, 0])) as Record<RefusalReason, number>;
  readonly allowAnonymous: boolean;
  private readonly db: Queryable;
  private readonly next: AuthorizePublish;
  private readonly log: Logger;
  private readonly maxPacketBytes: number;
  private readonly publishRate: Rate;
  private readonly connectRate: Rate;
  private readonly connects = new WeakMap<Client, ConnectPacket>();
  private readonly gateways = new WeakMap<Client, GatewayId>();
  private readonly publishBuckets = new WeakMap<Client, Bucket>();
  private readonly connectBuckets = new Map<string, Bucket>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: SecurityPolicyOptions) {
    this.db = options.db;
    this.next = options.next;
    this.log = (options.log ?? pino({ level: 'silent' })).child({ module: 'security' });
    this.allowAnonymous = options.allowAnonymous ?? false;
    this.maxPacketBytes = options.maxPacketBytes ?? 256 * 1024;
    this.publishRate = { perSecond: options.publishesPerSecond ?? 500, burst: options.publishBurst ?? 5000 };
    this.connectRate = { perSecond: options.connectsPerSecond ?? 20, burst: options.connectBurst ?? 200 };
    // Forget addresses whose bucket has refilled, so the map does not grow with every address ever seen.
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [address, bucket] of this.connectBuckets) if (refill(bucket, this.connectRate, now) >= this.connectRate.burst) this.connectBuckets.delete(address);
    }, 60_000).unref();
  }

  /** The gateway a client logged in as, if it did. */
  gatewayOf(client: Client): GatewayId | undefined {
    return this.gateways.get(client);
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Counts the bytes of each packet as they arrive and closes the connection when a packet's
   * fixed header announces more than maxPacketBytes, before the parser buffers its body. Wraps the
   * client's parser (`client._parser.parse`, the one entry Aedes feeds socket data to): Aedes
   * reads the socket in paused mode, so a second reader on the socket is not an option.
   */
  guard(client: Client): void {
    const parser = (client as unknown as { _parser?: { parse(buf: Buffer): number } })._parser;
    if (!parser) throw new Error('aedes client has no _parser: the packet size limit needs updating for this Aedes version');
    const frames = new FrameScanner(this.maxPacketBytes > 0 ? this.maxPacketBytes : Number.MAX_SAFE_INTEGER);
    const parse = parser.parse.bind(parser);
    let first = true;
    parser.parse = (buf: Buffer) => {
      if (first) {
        first = false;
        // [MQTT-3.1.2-2] an unsupported protocol level gets CONNACK 0x01, then the connection
        // closes. mqtt-packet throws on levels other than 3, 4 and 5 before Aedes can answer.
        const level = connectLevel(buf);
        if (level !== undefined && ![3, 4, 5].includes(level & 0x7f)) {
          this.refuse('protocol-violation', client, { clause: 'MQTT-3.1.2-2', level });
          client.conn.end(Buffer.from([0x20, 0x02, 0x00, 0x01]));
          return 0;
        }
      }
      if (frames.scan(buf)) return parse(buf);
      this.refuse('packet-too-large', client, { maxPacketBytes: this.maxPacketBytes });
      client.conn.destroy();
      return 0;
    };
  }

  readonly preConnect = (client: Client, packet: ConnectPacket, callback: (error: Error | null, success: boolean) => void): void => {
    const address = (client.conn as Socket).remoteAddress ?? 'unknown';
    if (this.connectRate.perSecond > 0) {
      let bucket = this.connectBuckets.get(address);
      if (!bucket) this.connectBuckets.set(address, (bucket = { tokens: this.connectRate.burst, at: Date.now() }));
      if (!take(bucket, this.connectRate)) return callback(this.refuse('connect-rate', client, { address }), false);
    }
    // [MQTT-1.5.3-2] a UTF-8 string with U+0000 is a protocol violation: close the connection.
    for (const [field, value] of [['client id', packet.clientId], ['will topic', packet.will?.topic], ['username', packet.username]] as const) {
      if (value?.includes('\u0000')) return callback(this.refuse('protocol-violation', client, { clause: 'MQTT-1.5.3-2', field }), false);
    }
    // [MQTT-4.7.1-1] wildcards are for topic filters, never topic names; a will topic is a topic name.
    // Aedes would store the will and publish it to '#' when the client drops.
    if (packet.will && /[+#]/.test(packet.will.topic)) {
      return callback(this.refuse('protocol-violation', client, { clause: 'MQTT-4.7.1-1', field: 'will topic' }), false);
    }
    this.connects.set(client, packet);
    callback(null, true);
  };

  readonly authenticate = (
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void => {
    const packet = this.connects.get(client);
    this.connects.delete(client);
    // [MQTT-3.1.3-8] a zero-length client id with CleanSession=0: CONNACK 0x02, then close.
    // Aedes would assign an id and keep a session nobody can resume. With CleanSession=1 the
    // server assigns one [MQTT-3.1.3-6, MQTT-3.1.3-7], as Aedes does.
    if (packet && packet.clientId === '' && !packet.clean) return done(this.connackError(2, 'identifier-rejected', client), null);
    if (username === undefined && password === undefined) {
      if (!this.allowAnonymous) return done(this.connackError(5, 'anonymous', client), null);
      if (!parseGatewayClientId(client.id)) return done(null, true);
      hasCredentials(this.db, client.id).then(
        (taken) => (taken ? done(this.connackError(5, 'gateway-id-taken', client), null) : done(null, true)),
        (err: unknown) => this.checkFailed(err, client.id, done),
      );
      return;
    }
    verify(this.db, username, password).then(
      (gateway) => {
        if (!gateway) return done(this.connackError(4, 'bad-credentials', client, { username }), null);
        if (client.id !== username) return done(this.connackError(2, 'client-id-mismatch', client, { username }), null);
        this.gateways.set(client, gateway);
        done(null, true);
      },
      (err: unknown) => this.checkFailed(err, username, done),
    );
  };

  /** The database failed (not the client): CONNACK 3, server unavailable, so the gateway retries. */
  private checkFailed(err: unknown, username: string | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void): void {
    this.log.error({ err, username }, 'credential check failed');
    done(Object.assign(new Error('credential check failed'), { returnCode: 3 }) as AuthenticateError, null);
  }

  readonly authorizePublish: AuthorizePublish = (client, packet, callback) => {
    if (!client) return this.next(client, packet, callback);
    // [MQTT-4.7.3-2] no U+0000 in a topic name [MQTT-1.5.3-2]: a protocol violation, close.
    if (packet.topic.includes('\u0000')) return callback(this.refuse('protocol-violation', client, { clause: 'MQTT-4.7.3-2' }));
    // A closed client is publishing its will: not a flood.
    if (!client.closed && this.publishRate.perSecond > 0) {
      let bucket = this.publishBuckets.get(client);
      if (!bucket) this.publishBuckets.set(client, (bucket = { tokens: this.publishRate.burst, at: Date.now() }));
      if (!take(bucket, this.publishRate)) return callback(this.refuse('publish-rate', client, { perSecond: this.publishRate.perSecond }));
    }
    const gateway = this.gateways.get(client);
    const reason = packet.topic.startsWith('$stemlab/') ? 'publish-not-allowed' : gateway ? gatewayPublishRefusal(gateway, packet.topic) : undefined;
    if (reason) {
      this.refuse(reason, client, { topic: packet.topic });
      packet.topic = DROP_TOPIC;
      packet.payload = Buffer.alloc(0);
      packet.retain = false;
      return callback(null);
    }
    this.next(client, packet, callback);
  };

  readonly authorizeSubscribe = (client: Client, sub: Subscription, callback: (error: Error | null, subscription?: Subscription | null) => void): void => {
    // [MQTT-4.7.3-2] no U+0000 in a topic filter: a protocol violation, close.
    if (sub.topic.includes('\u0000')) return callback(this.refuse('protocol-violation', client, { clause: 'MQTT-4.7.3-2' }));
    const gateway = this.gateways.get(client);
    if (sub.topic.startsWith('$stemlab/') || (gateway && !gatewayMaySubscribe(gateway, sub.topic))) {
      this.refuse('subscribe-not-allowed', client, { topic: sub.topic });
      return callback(null, null); // SUBACK 0x80 for this filter [MQTT-3.9.3-2]; the others are unaffected
    }
    callback(null, sub);
  };

  private refuse(reason: RefusalReason, client: Client, details: Record<string, unknown> = {}): Error {
    this.refusals[reason]++;
    this.log.info({ reason, client: client.id, ...details }, refusalReasons[reason]);
    return new Error(`${reason}: ${refusalReasons[reason]}`);
  }

  private connackError(returnCode: 2 | 3 | 4 | 5, reason: RefusalReason, client: Client, details?: Record<string, unknown>): AuthenticateError {
    return Object.assign(this.refuse(reason, client, details), { returnCode }) as AuthenticateError;
  }
}

/** Why a gateway may not publish on `topic`, or undefined if it may. */
export function gatewayPublishRefusal(gateway: GatewayId, topic: string): 'publish-foreign' | 'publish-not-allowed' | undefined {
  const parsed = parseTopic(topic);
  if (!parsed) {
    const own = `${TOPIC_ROOT}/${gateway.unit}/${gateway.gateway}/`;
    return topic.startsWith(`${TOPIC_ROOT}/`) && !topic.startsWith(own) ? 'publish-foreign' : 'publish-not-allowed';
  }
  if (parsed.unit !== gateway.unit || parsed.gateway !== gateway.gateway) return 'publish-foreign';
  // A gateway answers commands; it does not send them.
  return parsed.kind === 'command' ? 'publish-not-allowed' : undefined;
}

/** A gateway may read its own commands: cmd/+, cmd/# or cmd/{name}. */
export function gatewayMaySubscribe(gateway: GatewayId, filter: string): boolean {
  const prefix = `${TOPIC_ROOT}/${gateway.unit}/${gateway.gateway}/cmd/`;
  if (!filter.startsWith(prefix)) return false;
  const rest = filter.slice(prefix.length);
  return rest === '+' || rest === '#' || /^[A-Za-z0-9_.-]+$/.test(rest);
}

/** The protocol level of a CONNECT at the start of `buf` (protocol name MQTT or MQIsdp), if it is there. */
function connectLevel(buf: Buffer): number | undefined {
  if (buf.length < 2 || buf[0] !== 0x10) return undefined;
  let i = 1;
  while (i < buf.length && i < 5 && buf[i]! & 0x80) i++;
  i++; // past the last length byte
  if (i + 2 > buf.length) return undefined;
  const nameLength = buf.readUInt16BE(i);
  const name = buf.toString('latin1', i + 2, i + 2 + nameLength);
  const at = i + 2 + nameLength;
  return (name === 'MQTT' || name === 'MQIsdp') && at < buf.length ? buf[at] : undefined;
}

interface Rate {
  perSecond: number;
  burst: number;
}
interface Bucket {
  tokens: number;
  at: number;
}

function refill(bucket: Bucket, rate: Rate, now: number): number {
  bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * rate.perSecond);
  bucket.at = now;
  return bucket.tokens;
}

/** Token bucket: true if one token was taken. */
function take(bucket: Bucket, rate: Rate): boolean {
  if (refill(bucket, rate, Date.now()) < 1) return false;
  bucket.tokens--;
  return true;
}

/**
 * Follows MQTT framing (a type byte, a 1–4 byte remaining length, the body) across chunks and
 * says no when a packet's total size would pass `max`, as soon as its length is known.
 */
export class FrameScanner {
  private body = 0; // body bytes of the current packet still to skip
  private inLength = false;
  private length = 0;
  private lengthBytes = 0;
  private refused = false;

  constructor(private readonly max: number) {}

  scan(buf: Buffer): boolean {
    if (this.refused) return false;
    this.refused = !this.follow(buf);
    return !this.refused;
  }

  private follow(buf: Buffer): boolean {
    let i = 0;
    while (i < buf.length) {
      if (this.body > 0) {
        const n = Math.min(this.body, buf.length - i);
        this.body -= n;
        i += n;
        continue;
      }
      const byte = buf[i++]!;
      if (!this.inLength) {
        this.inLength = true;
        this.length = 0;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * 128 ** this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes >= 4) return false; // a 5th length byte: malformed [MQTT-2.2.3]
        continue;
      }
      if (1 + this.lengthBytes + this.length > this.max) return false;
      this.inLength = false;
      this.body = this.length;
    }
    return true;
  }
}
