/**
 * The access policy of the central's broker: the Aedes hooks, each concern in its own file, and
 * the MQTT 3.1.1 rules plain Aedes 1.2 bends, each enforced where the clause is cited.
 *
 * - Connect (authentication.ts): gateways' credentials, client id = username, people's accounts
 *   (password or session token), anonymous access, the per-address CONNECT rate.
 * - Publish (topic-acl.ts for gateways, rights.ts for people and anonymous clients): a person
 *   publishes only commands to their unit's gateways (department accounts: nothing), an anonymous
 *   client what `security.anonymous` allows (left out: nothing on the fleet's topics, nothing
 *   retained; rights.ts DEFAULT_ANONYMOUS_RIGHTS). A logged-in gateway publishes only under its own
 *   `stemlab/v1/{unit}/{gateway}/` and only the contract's topics. MQTT 3.1.1 has no negative
 *   PUBACK, and an error from Aedes's authorizePublish closes the connection, which would make a
 *   misconfigured gateway reconnect and resend forever. So a refused publish is *dropped*: the
 *   hook calls back without error (a QoS 1 sender gets its PUBACK and stops resending), after
 *   turning the packet into a non-retained, empty message on DROP_TOPIC, which no client may
 *   subscribe to and no wildcard matches [MQTT-4.7.2-1]. The ingest never sees it, and `refusals`
 *   counts it by reason. An anonymous client is not bound to one gateway's topics: the ingest
 *   still dead-letters what does not fit the client's gateway.
 * - Subscribe (topic-acl.ts, rights.ts): a gateway subscribes only to its own commands, a person
 *   within their unit (department: every unit), an anonymous client as configured; anything else
 *   is granted 0x80 (failure) in the SUBACK [MQTT-3.9.3-2].
 * - Limits: packets over `maxPacketBytes` (frame-guard.ts) and clients over their publish rate
 *   (rate.ts) are disconnected (3.1.1 has no way to say why).
 */
import type { Client, PublishPacket, Subscription } from 'aedes';
import { pino, type Logger } from 'pino';
import { parseGatewayClientId, type GatewayId } from '@stemlab/protocol';
import type { Queryable } from '../ledger/sql.ts';
import { Authentication } from './authentication.ts';
import { LoginWork } from './login-work.ts';
import { guardFrames, type FrameRefusal } from './frame-guard.ts';
import { take, type Bucket, type Rate } from './rate.ts';
import { refusalCounters, refusalReasons, type RefusalReason } from './refusals.ts';
import { DEFAULT_QUOTAS, GatewayQuotas, type QuotaOptions } from './quotas.ts';
import { DEFAULT_ANONYMOUS_RIGHTS, mayPublish, maySubscribe, type Rights } from './rights.ts';
import { DROP_TOPIC, gatewayMaySubscribe, gatewayPublishRefusal, isReservedTopic } from './topic-acl.ts';
import type { Identity } from './authentication.ts';

export { DROP_TOPIC, gatewayMaySubscribe, gatewayPublishRefusal } from './topic-acl.ts';
export { FrameScanner } from './frame-guard.ts';
export { refusalReasons, type RefusalReason } from './refusals.ts';

/**
 * Ill-formed UTF-8 in an MQTT string [MQTT-1.5.3-1]. The parser (mqtt-packet) decodes strings
 * with Buffer#toString, which turns each ill-formed sequence into U+FFFD; the bytes are gone by
 * the time a hook sees the string. So a U+FFFD is taken as ill-formed: no topic of the contract
 * has one, and a client that really meant U+FFFD in a topic is not one of ours.
 */
export function illFormed(value: string | undefined): boolean {
  return value?.includes('\uFFFD') ?? false;
}

export interface SecurityOptions {
  /** Let clients connect without credentials (default false). */
  allowAnonymous?: boolean;
  /** What anonymous clients may publish and subscribe to; left out, DEFAULT_ANONYMOUS_RIGHTS (read only, on the fleet's topics). */
  anonymous?: Rights;
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
  /** Failed MQTT log-ins allowed (defaults 5 per username and address, 50 per address, in 15 minutes). */
  loginAttempts?: { perUser: number; perAddress: number; windowMinutes: number };
  /** Password checks run at once, MQTT and HTTP together (default 2): login-work.ts. */
  loginChecksAtOnce?: number;
  /** Password checks that may wait (default 256). */
  loginChecksQueued?: number;
  /** Per-gateway quotas (quotas.ts DEFAULT_QUOTAS). */
  quotas?: QuotaOptions;
}

type AuthorizePublish = (client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void) => void;

export interface SecurityPolicyOptions extends SecurityOptions {
  /** The central's state (central-state/state.ts), where the credentials live. */
  db: Queryable;
  /** The next authorizePublish (the ingest), for what the policy lets through. */
  next: AuthorizePublish;
  /** The queue of password checks, to share with the HTTP API's log-ins; one of its own without. */
  loginWork?: LoginWork;
  log?: Logger;
}

export class SecurityPolicy {
  /** Refusals since start, by reason (for metrics and tests). */
  readonly refusals = refusalCounters();
  readonly allowAnonymous: boolean;
  readonly anonymousRights: Rights;
  private readonly next: AuthorizePublish;
  private readonly log: Logger;
  private readonly maxPacketBytes: number;
  private readonly publishRate: Rate;
  private readonly publishBuckets = new WeakMap<Client, Bucket>();
  private readonly authentication: Authentication;
  /** Per-gateway quotas: payload sizes, retained messages, dead letters per hour (quotas.ts). */
  readonly quotas: GatewayQuotas;

  constructor(options: SecurityPolicyOptions) {
    this.next = options.next;
    this.log = (options.log ?? pino({ level: 'silent' })).child({ module: 'security' });
    this.allowAnonymous = options.allowAnonymous ?? false;
    this.anonymousRights = options.anonymous ?? DEFAULT_ANONYMOUS_RIGHTS;
    this.maxPacketBytes = options.maxPacketBytes ?? 256 * 1024;
    this.publishRate = { perSecond: options.publishesPerSecond ?? 500, burst: options.publishBurst ?? 5000 };
    this.quotas = new GatewayQuotas(options.quotas ?? DEFAULT_QUOTAS, this.log);
    const attempts = options.loginAttempts;
    const windowMs = (attempts?.windowMinutes ?? 15) * 60_000;
    this.authentication = new Authentication({
      db: options.db,
      ...(attempts ? { loginLimit: { perUser: { max: attempts.perUser, windowMs }, perAddress: { max: attempts.perAddress, windowMs } } } : {}),
      work: options.loginWork ?? new LoginWork({ concurrency: options.loginChecksAtOnce, maxQueued: options.loginChecksQueued }),
      allowAnonymous: this.allowAnonymous,
      anonymousRights: this.anonymousRights,
      connectRate: { perSecond: options.connectsPerSecond ?? 20, burst: options.connectBurst ?? 200 },
      refuse: (reason, client, details) => this.refuse(reason, client, details),
      log: this.log,
    });
  }

  readonly preConnect: Authentication['preConnect'] = (...args) => this.authentication.preConnect(...args);
  readonly authenticate: Authentication['authenticate'] = (...args) => this.authentication.authenticate(...args);

  /** The queue of password checks (shared with the HTTP API by the central). */
  get loginWork(): LoginWork {
    return this.authentication.work;
  }

  /** The gateway a client logged in as, if it did. */
  gatewayOf(client: Client): GatewayId | undefined {
    return this.authentication.gatewayOf(client);
  }

  /** Who a client logged in as (a gateway or a person); undefined for an anonymous client. */
  identityOf(client: Client): Identity | undefined {
    return this.authentication.identityOf(client);
  }

  stop(): void {
    this.authentication.stop();
  }

  /** A gateway secret this process issued (provisionGateway's secretHash and password): its first CONNECT skips the slow check. */
  rememberSecret(username: string, secretHash: string, password: string): void {
    this.authentication.rememberSecret(username, secretHash, password);
  }

  /** The packet-size limit and protocol-level check on a new client's bytes (frame-guard.ts). */
  guard(client: Client): void {
    guardFrames(client, this.maxPacketBytes, this.framesRefused);
  }

  /** One for every client (frame-guard.ts keeps no closure per connection). */
  private readonly framesRefused = ({ reason, details }: FrameRefusal, client: Client): void => void this.refuse(reason, client, details);

  readonly authorizePublish: AuthorizePublish = (client, packet, callback) => {
    if (!client) return this.orphanWill(packet, callback);
    // [MQTT-4.7.3-2] no U+0000 in a topic name [MQTT-1.5.3-2]: a protocol violation, close.
    if (packet.topic.includes('\u0000')) return callback(this.refuse('protocol-violation', client, { clause: 'MQTT-4.7.3-2' }));
    // [MQTT-1.5.3-1] ill-formed UTF-8 in a topic name: close (see illFormed).
    if (illFormed(packet.topic)) return callback(this.refuse('protocol-violation', client, { clause: 'MQTT-1.5.3-1', field: 'topic name' }));
    // [MQTT-2.3.1-1] a QoS 1 or 2 PUBLISH carries a non-zero packet identifier.
    if (packet.qos > 0 && !client.closed && packet.messageId === 0) return callback(this.refuse('protocol-violation', client, { clause: 'MQTT-2.3.1-1' }));
    // A closed client is publishing its will: not a flood.
    if (!client.closed && this.publishRate.perSecond > 0) {
      let bucket = this.publishBuckets.get(client);
      if (!bucket) this.publishBuckets.set(client, (bucket = { tokens: this.publishRate.burst, at: Date.now() }));
      if (!take(bucket, this.publishRate)) return callback(this.refuse('publish-rate', client, { perSecond: this.publishRate.perSecond }));
    }
    const identity = this.identityOf(client);
    const gateway = identity?.kind === 'gateway' ? identity.gateway : undefined;
    const reason = this.publishRefusal(identity, packet.topic);
    if (reason) return this.drop(reason, client, packet, callback);
    // A person sends commands: never retained, else each reconnect of the gateway would run it again.
    if (identity?.kind === 'person') packet.retain = false;
    // An anonymous client's retained message would outlive it (and fill the disk): delivered, not kept.
    if (!identity && packet.retain && !this.anonymousRights.retain) this.unretain(client, packet);
    if (gateway) {
      const verdict = this.quotas.check(gateway, packet.topic, packet.payload.length, packet.retain);
      if (verdict === 'drop') return this.drop('quota', client, packet, callback);
      if (verdict === 'unretain') packet.retain = false;
    }
    this.next(client, packet, callback);
  };

  /** Why this client may not publish on `topic`, or undefined if it may. */
  private publishRefusal(identity: Identity | undefined, topic: string): RefusalReason | undefined {
    if (isReservedTopic(topic)) return 'publish-not-allowed';
    if (identity?.kind === 'gateway') return gatewayPublishRefusal(identity.gateway, topic);
    // $SYS goes on to the ingest, which refuses it as Aedes does (closing the connection).
    if (topic.startsWith('$SYS')) return undefined;
    return mayPublish(identity?.kind === 'person' ? identity.rights : this.anonymousRights, topic) ? undefined : 'publish-not-allowed';
  }

  /**
   * A will published with no client attached: the client's connection ended on a central that
   * has since restarted, or on a cluster node that died (aedes.js _clearWills). It is checked
   * against the identity it was stored with: the persistence stamps each will with its client id,
   * and a gateway's client id is its username (authentication.ts refuses any other), so the id
   * says which gateway it was. Another id was a person's or an anonymous client's (the stored will
   * does not say which), and is let through only while anonymous access is on and its rights allow it.
   */
  private orphanWill(packet: PublishPacket, callback: (error?: Error | null) => void): void {
    const clientId = (packet as PublishPacket & { clientId?: unknown }).clientId;
    const id = typeof clientId === 'string' ? clientId : '';
    const gateway = parseGatewayClientId(id);
    const refused = isReservedTopic(packet.topic) || (gateway ? gatewayPublishRefusal(gateway, packet.topic) !== undefined : !this.allowAnonymous || !mayPublish(this.anonymousRights, packet.topic));
    if (refused) return this.drop('will-orphan-refused', id || null, packet, callback);
    if (!gateway && packet.retain && !this.anonymousRights.retain) this.unretain(id || null, packet);
    this.next(null, packet, callback);
  }

  /** A retained publish its client may not retain: delivered to the subscribers, not stored. */
  private unretain(client: Client | string | null, packet: PublishPacket): void {
    this.refuse('retain-not-allowed', client, { topic: packet.topic });
    packet.retain = false;
  }

  /** A refused publish is answered (a QoS 1 sender gets its PUBACK) but goes nowhere: see the header. */
  private drop(reason: RefusalReason, client: Client | string | null, packet: PublishPacket, callback: (error?: Error | null) => void): void {
    this.refuse(reason, client, { topic: packet.topic });
    packet.topic = DROP_TOPIC;
    packet.payload = Buffer.alloc(0);
    packet.retain = false;
    callback(null);
  }

  readonly authorizeSubscribe = (client: Client, sub: Subscription, callback: (error: Error | null, subscription?: Subscription | null) => void): void => {
    // [MQTT-4.7.3-2] no U+0000 in a topic filter: a protocol violation, close; nor ill-formed UTF-8 [MQTT-1.5.3-1].
    if (sub.topic.includes('\u0000')) return callback(this.refuse('protocol-violation', client, { clause: 'MQTT-4.7.3-2' }));
    if (illFormed(sub.topic)) return callback(this.refuse('protocol-violation', client, { clause: 'MQTT-1.5.3-1', field: 'topic filter' }));
    const identity = this.identityOf(client);
    const allowed = identity?.kind === 'gateway' ? gatewayMaySubscribe(identity.gateway, sub.topic) : maySubscribe(identity?.rights ?? this.anonymousRights, sub.topic);
    if (isReservedTopic(sub.topic) || !allowed) {
      this.refuse('subscribe-not-allowed', client, { topic: sub.topic });
      return callback(null, null); // SUBACK 0x80 for this filter [MQTT-3.9.3-2]; the others are unaffected
    }
    callback(null, sub);
  };

  private refuse(reason: RefusalReason, client: Client | string | null, details: Record<string, unknown> = {}): Error {
    this.refusals[reason]++;
    this.log.info({ reason, client: typeof client === 'string' || client === null ? client : client.id, ...details }, refusalReasons[reason]);
    return new Error(`${reason}: ${refusalReasons[reason]}`);
  }
}
