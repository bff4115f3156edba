/**
 * Who may connect (the Aedes preConnect and authenticate hooks), and as whom:
 *
 * - A gateway logs in as `gw:{unit}:{gateway}` with its secret (credentials.ts), and its client id
 *   must equal its username, else it could take over another gateway's presence.
 * - A person logs in with the username of their account of the central (api/users.ts) and either
 *   its password or a token of a live session of that account (POST /api/v1/login, or
 *   `stemlab user token`). Their rights come from the account's role and unit (rights.ts),
 *   read at CONNECT. Their client id may be anything but a gateway's (`gw:…`), which would take
 *   over that gateway's connection.
 * - Anonymous clients are refused unless `allowAnonymous` (a closed lab network); even then an
 *   anonymous client may not use the client id of a gateway that has credentials, and has the
 *   configured anonymous rights.
 *
 * Connections over the per-address rate are closed before CONNACK, before any password is hashed.
 *
 * The slow check (scrypt) is what a flood of wrong passwords would use to starve real log-ins, so
 * a password, a gateway's or a person's, reaches it only after: the cheap checks (a secret that
 * already passed since start is let in at once: VerifiedSecrets; a person's session token is one
 * SHA-256 and an index probe), the failure limits (per username and address, and
 * per address: login-limit.ts, refused without hashing), and a place in the bounded queue of
 * checks (login-work.ts: an address that keeps failing goes behind, a closed socket is dropped).
 */
import type { Socket } from 'node:net';
import type { AuthenticateError, Client, ConnectPacket } from 'aedes';
import type { Logger } from 'pino';
import { parseGatewayClientId, type GatewayId } from '@stemlab/protocol';
import type { Queryable } from '../ledger/sql.ts';
import { accountForLogin, sessionOfUser, type Role } from '../api/users.ts';
import { checkGatewaySecret, gatewayCredentials, hasCredentials, VerifiedSecrets } from './credentials.ts';
import { LoginLimiter, type LoginLimitOptions } from './login-limit.ts';
import { LoginWork } from './login-work.ts';
import { KeyedBuckets, type Rate } from './rate.ts';
import type { RefusalReason } from './refusals.ts';
import { mayPublish, personRights, type Rights } from './rights.ts';
import { gatewayPublishRefusal, isReservedTopic } from './topic-acl.ts';

/** Counts and logs a refusal; the error to hand to Aedes. */
export type Refuse = (reason: RefusalReason, client: Client | string | null, details?: Record<string, unknown>) => Error;

type Done = (error: AuthenticateError | null, success: boolean | null) => void;

/** Who a connected client is: a gateway, a person (with the rights of their role), or nobody (anonymous). */
export type Identity = { kind: 'gateway'; gateway: GatewayId } | { kind: 'person'; username: string; role: Role; unit: string | null; rights: Rights };

/** Whom a username names, with the hash its password is checked against. */
type Principal = ({ kind: 'gateway'; gateway: GatewayId } | { kind: 'person'; role: Role; unit: string | null }) & { secretHash: string };
type Checked = { principal: Principal } | { refused: 'bad-credentials' | 'login-limit' | 'login-busy' | 'login-abandoned'; details: Record<string, unknown> };

/** A session token's shape (32 random bytes, base64url): only such a password is looked up as a token. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface AuthenticationOptions {
  db: Queryable;
  allowAnonymous: boolean;
  /** What anonymous clients may publish (their will is checked against it). */
  anonymousRights: Rights;
  connectRate: Rate;
  /** Failed MQTT log-ins allowed per username+address and per address (defaults: 5 and 50 per 15 minutes). */
  loginLimit?: LoginLimitOptions;
  /** The queue of slow checks, shared with the HTTP log-ins of the same central. */
  work?: LoginWork;
  refuse: Refuse;
  log: Logger;
  now?: () => number;
}

export class Authentication {
  private readonly connects = new WeakMap<Client, ConnectPacket>();
  private readonly identities = new WeakMap<Client, Identity>();
  private readonly connectBuckets: KeyedBuckets;
  /** MQTT log-in failures (separate from the HTTP API's: another population, other limits). */
  readonly limiter: LoginLimiter;
  readonly work: LoginWork;
  private readonly verified = new VerifiedSecrets();
  private readonly now: () => number;

  constructor(private readonly options: AuthenticationOptions) {
    this.connectBuckets = new KeyedBuckets(options.connectRate);
    this.limiter = new LoginLimiter(options.loginLimit);
    this.work = options.work ?? new LoginWork();
    this.now = options.now ?? Date.now;
  }

  /** Who a client logged in as; undefined for an anonymous client. */
  identityOf(client: Client): Identity | undefined {
    return this.identities.get(client);
  }

  /** The gateway a client logged in as, if it did. */
  gatewayOf(client: Client): GatewayId | undefined {
    const identity = this.identities.get(client);
    return identity?.kind === 'gateway' ? identity.gateway : undefined;
  }

  stop(): void {
    this.connectBuckets.stop();
  }

  /**
   * A secret known to match its stored hash without a slow check: this process issued it
   * (provisionGateway returns both). Its first CONNECT is then let in on the cheap check. A
   * rotation or revocation changes the stored hash, so the entry stops matching.
   */
  rememberSecret(username: string, secretHash: string, password: string): void {
    this.verified.remember(username, { secretHash }, Buffer.from(password, 'utf8'));
  }

  readonly preConnect = (client: Client, packet: ConnectPacket, callback: (error: Error | null, success: boolean) => void): void => {
    const { refuse } = this.options;
    const address = (client.conn as Socket).remoteAddress ?? 'unknown';
    if (!this.connectBuckets.take(address)) return callback(refuse('connect-rate', client, { address }), false);
    // [MQTT-1.5.3-2] a UTF-8 string with U+0000 is a protocol violation: close the connection.
    for (const [field, value] of [['client id', packet.clientId], ['will topic', packet.will?.topic], ['username', packet.username]] as const) {
      if (value?.includes('\u0000')) return callback(refuse('protocol-violation', client, { clause: 'MQTT-1.5.3-2', field }), false);
    }
    // [MQTT-1.5.3-1] ill-formed UTF-8 (policy.ts illFormed says how it is seen).
    for (const [field, value] of [['client id', packet.clientId], ['will topic', packet.will?.topic], ['username', packet.username]] as const) {
      if (value?.includes('\uFFFD')) return callback(refuse('protocol-violation', client, { clause: 'MQTT-1.5.3-1', field }), false);
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
      if (will !== undefined && !mayPublish(this.options.anonymousRights, will)) return done(this.connackError(5, 'will-not-allowed', client, { topic: will }), null);
      if (!parseGatewayClientId(client.id)) return done(null, true);
      hasCredentials(db, client.id).then(
        (taken) => (taken ? done(this.connackError(5, 'gateway-id-taken', client), null) : done(null, true)),
        (err: unknown) => this.checkFailed(err, client.id, done),
      );
      return;
    }
    const user = username ?? '';
    this.checkPassword(client, user, password).then(
      (checked) => {
        if ('refused' in checked) {
          const { refused, details } = checked;
          return done(this.connackError(refused === 'login-busy' ? 3 : 4, refused, client, { username, ...details }), null);
        }
        const { principal } = checked;
        if (principal.kind === 'person') {
          // A person's tool may not take a gateway's client id: Aedes would close that gateway's connection.
          if (parseGatewayClientId(client.id)) return done(this.connackError(2, 'person-client-id', client, { username }), null);
          const rights = personRights(principal.role, principal.unit);
          if (will !== undefined && !mayPublish(rights, will)) return done(this.connackError(5, 'will-not-allowed', client, { username, topic: will }), null);
          this.identities.set(client, { kind: 'person', username: user, role: principal.role, unit: principal.unit, rights });
          return done(null, true);
        }
        const { gateway } = principal;
        if (client.id !== username) return done(this.connackError(2, 'client-id-mismatch', client, { username }), null);
        if (will !== undefined && gatewayPublishRefusal(gateway, will)) return done(this.connackError(5, 'will-not-allowed', client, { username, topic: will }), null);
        this.identities.set(client, { kind: 'gateway', gateway });
        done(null, true);
      },
      (err: unknown) => this.checkFailed(err, username, done),
    );
  };

  /** Whom a username names: a gateway (`gw:…`), a person's enabled account, or nobody. One index probe, no hashing. */
  private async principal(username: string): Promise<Principal | undefined> {
    if (!username) return undefined;
    if (parseGatewayClientId(username)) {
      const c = await gatewayCredentials(this.options.db, username);
      return c && { kind: 'gateway', gateway: { unit: c.unit, gateway: c.gateway }, secretHash: c.secretHash };
    }
    const account = await accountForLogin(this.options.db, username);
    return account && { kind: 'person', role: account.role, unit: account.unit, secretHash: account.passwordHash };
  }

  /** Whom a password opens, or why nobody. */
  private async checkPassword(client: Client, username: string, password: Buffer | undefined): Promise<Checked> {
    const address = (client.conn as Socket).remoteAddress ?? 'unknown';
    const credentials = await this.principal(username);
    if (credentials && this.verified.matches(username, credentials, password)) return { principal: credentials };
    if (credentials?.kind === 'person' && password !== undefined) {
      const given = password.toString('utf8');
      const session = TOKEN.test(given) ? await sessionOfUser(this.options.db, username, given, this.now()) : undefined;
      if (session) return { principal: { ...credentials, role: session.role, unit: session.unit } };
    }
    const limited = this.limiter.attempt(username, address, this.now());
    if (limited) return { refused: 'login-limit', details: { address, scope: limited.scope, retryAfterSec: limited.retryAfterSec } };
    const conn = client.conn as Socket;
    const outcome = await this.work.run(
      {
        rank: () => [this.limiter.addressFailures(address, this.now()), credentials ? 0 : 1],
        alive: () => !conn.destroyed && !client.closed,
        // Its own attempt is counted in advance: one failure is this one.
        clean: () => this.limiter.addressFailures(address, this.now()) <= 1,
      },
      () => checkGatewaySecret(password, credentials),
    );
    if (!outcome.ran) {
      // Busy is the central's state, not the client's doing: not held against its address.
      if (outcome.why === 'busy') this.limiter.takeBack(username, address, this.now());
      return { refused: outcome.why === 'busy' ? 'login-busy' : 'login-abandoned', details: { address } };
    }
    if (!outcome.value || !credentials) return { refused: 'bad-credentials', details: { address } };
    this.limiter.succeeded(username, address, this.now());
    this.verified.remember(username, credentials, password);
    return { principal: credentials };
  }

  /** The database failed (not the client): CONNACK 3, server unavailable, so the gateway retries. */
  private checkFailed(err: unknown, username: string | undefined, done: Done): void {
    this.options.log.error({ err, username }, 'credential check failed');
    done(Object.assign(new Error('credential check failed'), { returnCode: 3 }) as AuthenticateError, null);
  }

  private connackError(returnCode: 2 | 3 | 4 | 5, reason: RefusalReason, client: Client, details?: Record<string, unknown>): AuthenticateError {
    return Object.assign(this.options.refuse(reason, client, details), { returnCode }) as AuthenticateError;
  }
}
