/**
 * Who may connect (the Aedes preConnect and authenticate hooks). A gateway logs in with its
 * credentials (credentials.ts), and its client id must equal its username, else it could take
 * over another gateway's presence. Anonymous clients are refused unless `allowAnonymous` (a
 * closed lab network, the demo); even then an anonymous client may not use the client id of a
 * gateway that has credentials. Connections over the per-address rate are closed before CONNACK,
 * before any password is hashed.
 */
import type { Socket } from 'node:net';
import type { AuthenticateError, Client, ConnectPacket } from 'aedes';
import type { Logger } from 'pino';
import { parseGatewayClientId, type GatewayId } from '@stemlab/protocol';
import type { Queryable } from '../ledger/sql.ts';
import { hasCredentials, verify } from './credentials.ts';
import { KeyedBuckets, type Rate } from './rate.ts';
import type { RefusalReason } from './refusals.ts';
import { gatewayPublishRefusal, isReservedTopic } from './topic-acl.ts';

/** Counts and logs a refusal; the error to hand to Aedes. */
export type Refuse = (reason: RefusalReason, client: Client | string | null, details?: Record<string, unknown>) => Error;

type Done = (error: AuthenticateError | null, success: boolean | null) => void;

export interface AuthenticationOptions {
  db: Queryable;
  allowAnonymous: boolean;
  connectRate: Rate;
  refuse: Refuse;
  log: Logger;
}

export class Authentication {
  private readonly connects = new WeakMap<Client, ConnectPacket>();
  private readonly gateways = new WeakMap<Client, GatewayId>();
  private readonly connectBuckets: KeyedBuckets;

  constructor(private readonly options: AuthenticationOptions) {
    this.connectBuckets = new KeyedBuckets(options.connectRate);
  }

  /** The gateway a client logged in as, if it did. */
  gatewayOf(client: Client): GatewayId | undefined {
    return this.gateways.get(client);
  }

  stop(): void {
    this.connectBuckets.stop();
  }

  readonly preConnect = (client: Client, packet: ConnectPacket, callback: (error: Error | null, success: boolean) => void): void => {
    const { refuse } = this.options;
    const address = (client.conn as Socket).remoteAddress ?? 'unknown';
    if (!this.connectBuckets.take(address)) return callback(refuse('connect-rate', client, { address }), false);
    // [MQTT-1.5.3-2] a UTF-8 string with U+0000 is a protocol violation: close the connection.
    for (const [field, value] of [['client id', packet.clientId], ['will topic', packet.will?.topic], ['username', packet.username]] as const) {
      if (value?.includes('\u0000')) return callback(refuse('protocol-violation', client, { clause: 'MQTT-1.5.3-2', field }), false);
    }
    // [MQTT-4.7.1-1] wildcards are for topic filters, never topic names; a will topic is a topic name.
    // Aedes would store the will and publish it to '#' when the client drops.
    if (packet.will && /[+#]/.test(packet.will.topic)) {
      return callback(refuse('protocol-violation', client, { clause: 'MQTT-4.7.1-1', field: 'will topic' }), false);
    }
    this.connects.set(client, packet);
    callback(null, true);
  };

  readonly authenticate = (client: Client, username: string | undefined, password: Buffer | undefined, done: Done): void => {
    const { db } = this.options;
    const packet = this.connects.get(client);
    this.connects.delete(client);
    // [MQTT-3.1.3-8] a zero-length client id with CleanSession=0: CONNACK 0x02, then close.
    // Aedes would assign an id and keep a session nobody can resume. With CleanSession=1 the
    // server assigns one [MQTT-3.1.3-6, MQTT-3.1.3-7], as Aedes does.
    if (packet && packet.clientId === '' && !packet.clean) return done(this.connackError(2, 'identifier-rejected', client), null);
    // A will is published when the connection is gone, maybe by a restarted central or another
    // cluster node: checked now, against who connects, so none is stored that could not be sent.
    const will = packet?.will?.topic;
    if (will !== undefined && isReservedTopic(will)) return done(this.connackError(5, 'will-not-allowed', client, { topic: will }), null);
    if (username === undefined && password === undefined) {
      if (!this.options.allowAnonymous) return done(this.connackError(5, 'anonymous', client), null);
      if (!parseGatewayClientId(client.id)) return done(null, true);
      hasCredentials(db, client.id).then(
        (taken) => (taken ? done(this.connackError(5, 'gateway-id-taken', client), null) : done(null, true)),
        (err: unknown) => this.checkFailed(err, client.id, done),
      );
      return;
    }
    verify(db, username, password).then(
      (gateway) => {
        if (!gateway) return done(this.connackError(4, 'bad-credentials', client, { username }), null);
        if (client.id !== username) return done(this.connackError(2, 'client-id-mismatch', client, { username }), null);
        if (will !== undefined && gatewayPublishRefusal(gateway, will)) return done(this.connackError(5, 'will-not-allowed', client, { username, topic: will }), null);
        this.gateways.set(client, gateway);
        done(null, true);
      },
      (err: unknown) => this.checkFailed(err, username, done),
    );
  };

  /** The database failed (not the client): CONNACK 3, server unavailable, so the gateway retries. */
  private checkFailed(err: unknown, username: string | undefined, done: Done): void {
    this.options.log.error({ err, username }, 'credential check failed');
    done(Object.assign(new Error('credential check failed'), { returnCode: 3 }) as AuthenticateError, null);
  }

  private connackError(returnCode: 2 | 3 | 4 | 5, reason: RefusalReason, client: Client, details?: Record<string, unknown>): AuthenticateError {
    return Object.assign(this.options.refuse(reason, client, details), { returnCode }) as AuthenticateError;
  }
}
