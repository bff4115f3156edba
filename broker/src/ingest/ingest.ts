/**
 * The ingest: every message a client publishes to the broker passes here on its way in, is
 * validated (validate.ts), attributed to its gateway, and written to the ledger in batches. A
 * usage event from a client already known as its topic's gateway is validated by the ledger's
 * writer instead (uncheckedUsage: off the broker's thread on SQLite), and dead-lettered here if
 * it fails (deadLetterInvalid).
 *
 * Why Aedes's `authorizePublish` hook and not `published`: for a QoS 1 PUBLISH, Aedes writes the
 * PUBACK first and only then publishes the packet and calls `published`
 * (lib/handlers/publish.js, enqueuePublish `case 1`). `authorizePublish` runs before that
 * (publishActions = [authorizePublish, enqueuePublish], in series), so calling its callback only
 * after the batch has committed means the gateway gets its PUBACK after the event is on disk:
 * a central crash cannot lose an acknowledged event. Aedes reads a socket's next chunk only when
 * every packet of the previous chunk is done, so a waiting batch also applies back-pressure.
 * QoS 0 (telemetry) is not held: its callback returns at once.
 *
 * PUBACKs in arrival order [MQTT-4.6.0-2]: a client's QoS 1 publishes are acknowledged in the
 * order they came, whichever path each takes. Aedes handles the packets of one chunk
 * concurrently, so an answer given at once (a reply, a publish the security policy drops, a dead
 * letter past its quota, anything not stored) would overtake a held one; and a batch answers its
 * telemetry after its events, a dead-lettered event one commit later. So every QoS 1 answer of a
 * client with one held goes through the client's line (puback-order.ts; the central's Aedes hook
 * is `pubacks.inOrder(security hook)`), where each entry is its own place: answered in any order
 * here, passed to Aedes in arrival order. An error that closes the connection is not held back.
 *
 * Never throws, never drops silently: a malformed message goes to the dead letters (and is
 * acknowledged, so the sender does not resend it forever); a message the ledger cannot take is
 * retried (SQLITE_BUSY; on PostgreSQL a lost connection or a serialization failure: sql.ts
 * isTransient) with backoff, its PUBACK still held, else dead-lettered, else refused (the
 * gateway's QoS 1 retry brings it back) and logged.
 *
 * One commit at a time (the ledger has one writer): while a commit is in flight, the next batch
 * forms in the queue and is committed as soon as it ends (a group commit that grows with load,
 * on SQLite's fsync as on PostgreSQL's round trips).
 *
 * Client ids: a gateway connects as `gw:{unit}:{gateway}` (e.g. `gw:thcs-q1-01:lab-1`). That id
 * gives presence from the broker's own connect/disconnect events, which matter because Aedes
 * publishes no will on a clean DISCONNECT or when the broker itself closes. A client with any
 * other id is bound to the gateway of the first gateway topic it publishes. Either way, a client
 * publishing under another gateway's topics is dead-lettered (topic ACLs come later).
 */
import { EventEmitter } from 'node:events';
import type { Client, PublishPacket } from 'aedes';
import { pino, type Logger } from 'pino';
import type { Ledger } from '../ledger/ledger.ts';
import { isTransient } from '../ledger/sql.ts';
import type { BatchResult, LedgerMessage } from '../ledger/types.ts';
import { validate } from './validate.ts';
import { Backoff, parseGatewayClientId, type GatewayId } from '@stemlab/protocol';
import { parsedTopic } from '../parsed-topics.ts';
import { PubackOrder, type Answer, type Callback } from './puback-order.ts';

export interface IngestOptions {
  ledger: Ledger;
  log?: Logger;
  /** Commit as soon as this many messages wait (default 1000)... */
  maxBatch?: number;
  /**
   * ...or when the first of them has waited this long, in ms. 0 (the default) commits at the end
   * of the current event-loop turn: what every socket delivered in that turn shares one commit,
   * and while a commit's fsync runs the next batch piles up in the sockets (a group commit that
   * grows with load). Measured faster than 2 or 5 ms at every load, and it adds no latency alone.
   */
  maxDelayMs?: number;
  /**
   * How long a gateway's connect or disconnect (its presence row) waits for others before it is
   * committed on its own, in ms (default 50). Nothing waits on those rows (no PUBACK), and a
   * reconnect storm brings thousands a second: committed at the end of each event-loop turn they
   * were a commit (an fsync on SQLite) per ~7 connections; with the wait, one per few hundred. A
   * message that does wait (a usage event's PUBACK) commits as before and takes them along.
   */
  presenceDelayMs?: number;
  /** Asked before a gateway's dead letter is stored: false drops it (a quota: security/quotas.ts). */
  deadLetterAllowed?: (gateway: GatewayId) => boolean;
  /** How long stop() keeps trying to write what is left, in ms (default 5000). */
  stopTimeoutMs?: number;
  /**
   * The central's clock for arrival times (receivedAt, presence): Date.now by default. A fleet
   * simulation living a quarter in minutes gives the central its simulated clock, so presence and
   * birth-based clock corrections are in the simulated quarter (simulators/src/fleet).
   */
  now?: () => number;
}

/** What a commit did, emitted as 'commit' (for metrics and tests). */
export interface Commit extends BatchResult {
  messages: number;
  /** How long the oldest message of the batch waited from arrival to commit, in ms. */
  waitedMs: number;
}

/**
 * A message on its way to the ledger. Held (QoS > 0), it is also its answer's place in its
 * client's line of PUBACKs (puback-order.ts): `done` is set and the PUBACK waits for its commit.
 */
interface Entry extends Answer {
  message: LedgerMessage;
  topic: string;
  payload: Buffer;
  clientId: string | null;
  /** An earlier entry whose answer is this one's: the QoS 1 reading this one replaced, the usage event this dead letter stands for. */
  answers: Entry | undefined;
}

/** Every entry made with the same fields in the same order (one hidden class). */
function entry(message: LedgerMessage, topic: string, payload: Buffer, clientId: string | null, answers?: Entry): Entry {
  return { message, topic, payload, clientId, answers, done: undefined, line: undefined, outcome: undefined, after: undefined };
}

export class Ingest extends EventEmitter<{ commit: [Commit]; retry: [Error] }> {
  readonly stats = { received: 0, commits: 0, retries: 0, failed: 0, refused: 0 };
  private readonly ledger: Ledger;
  private readonly log: Logger;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly stopTimeoutMs: number;
  private readonly now: () => number;
  private queue: Entry[] = [];
  /** Latest pending reading per device: only the latest is kept, so a burst costs one row. */
  private telemetry = new Map<string, Entry>();
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** The timer is the presence rows' longer wait (presenceDelayMs), which any other message cuts short. */
  private timerForPresence = false;
  private readonly presenceDelayMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly retryBackoff = new Backoff({ minMs: 10, maxMs: 1000 });
  private drained: (() => void)[] = [];
  /** The commit in flight, if any: the next batch waits for it. */
  private committing: Promise<void> | undefined;
  private state: 'open' | 'stopping' | 'closed' = 'open';
  private readonly bound = new WeakMap<Client, GatewayId>();
  /** Each client's id parsed as a gateway's (null: not one). */
  private readonly idOf = new WeakMap<Client, GatewayId | null>();
  /** The live client of each gateway, so a late disconnect of a replaced connection changes nothing. */
  private readonly current = new Map<string, Client>();
  private readonly deadLetterAllowed: ((gateway: GatewayId) => boolean) | undefined;
  /** Each client's QoS 1 answers in arrival order (puback-order.ts): the central's Aedes hook is `pubacks.inOrder(...)`. */
  readonly pubacks = new PubackOrder();

  constructor(options: IngestOptions) {
    super();
    this.ledger = options.ledger;
    this.log = (options.log ?? pino({ level: 'silent' })).child({ module: 'ingest' });
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 0;
    this.presenceDelayMs = Math.max(this.maxDelayMs, options.presenceDelayMs ?? 50);
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.deadLetterAllowed = options.deadLetterAllowed;
  }

  /** Aedes's authorizePublish hook (see the top of this file). */
  authorizePublish(client: Client | null, packet: PublishPacket, callback: Callback): void {
    // Aedes's default hook refuses $SYS from clients; replacing the hook must not lose that.
    if (packet.topic.startsWith('$SYS')) return callback(new Error('$SYS topics are reserved'));
    const receivedAt = this.now();
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const clientId = client?.id ?? null;
    let message: LedgerMessage | undefined = this.uncheckedUsage(client, packet, payload, receivedAt);
    if (!message) {
      const verdict = validate(packet.topic, payload, packet.retain, receivedAt);
      if (verdict.kind === 'dead') {
        message = { kind: 'dead-letter', topic: packet.topic, payload, reason: verdict.reason, clientId, receivedAt };
      } else if (verdict.topic && verdict.topic.kind !== 'command') {
        const mismatch = client && this.checkIdentity(client, verdict.topic, receivedAt);
        if (mismatch) message = { kind: 'dead-letter', topic: packet.topic, payload, reason: mismatch, clientId, receivedAt };
        else if (verdict.kind === 'store') message = verdict.message;
      }
      if (!message) return callback(null);
      if (message.kind === 'dead-letter' && !this.mayDeadLetter(verdict.topic ?? (clientId ? this.gatewayOfId(client) : undefined))) return callback(null);
    }
    this.stats.received++;
    const e = entry(message, packet.topic, payload, clientId);
    if (packet.qos === 0) {
      this.enqueue(e);
      return callback(null);
    }
    this.pubacks.hold(client, packet, e, callback);
    if (!this.enqueue(e)) this.answer(e, new Error('central is stopped'));
  }

  /**
   * A usage event from a client already known as the gateway of its topic, or from no client (the
   * ingest behind another broker): left for the ledger's writer to validate (validate.ts
   * validateUsage), which on SQLite runs in the writer thread. JSON parsing and the schema were
   * the largest cost of the broker's thread per QoS 1 event. What fails is handed back by the
   * writer and dead-lettered then (deadLetterInvalid), the PUBACK still after its commit.
   * Anything else is validated here as before: an unbound client (its first publish binds it,
   * checkIdentity) and a gateway publishing under another's topic (the reason a bad payload gets
   * stays the same).
   */
  private uncheckedUsage(client: Client | null, packet: PublishPacket, payload: Buffer, receivedAt: number): LedgerMessage | undefined {
    if (!packet.topic.endsWith('/usage') || (payload.length === 0 && packet.retain)) return undefined;
    const topic = parsedTopic(packet.topic);
    if (topic?.kind !== 'usage') return undefined;
    if (client) {
      const id = this.gatewayOfId(client) ?? this.bound.get(client);
      if (!id || id.unit !== topic.unit || id.gateway !== topic.gateway) return undefined;
    }
    return { kind: 'unchecked-usage', unit: topic.unit, gateway: topic.gateway, receivedAt, payload: payload.toString('utf8') };
  }

  /** The gateway a client id names (gw:{unit}:{gateway}), parsed once per client. */
  private gatewayOfId(client: Client | null): GatewayId | undefined {
    if (!client) return undefined;
    let id = this.idOf.get(client);
    if (id === undefined) this.idOf.set(client, (id = parseGatewayClientId(client.id) ?? null));
    return id ?? undefined;
  }

  /** Whether a dead letter of this gateway may be stored (its hourly quota); counted as refused if not. */
  private mayDeadLetter(gateway: GatewayId | undefined): boolean {
    if (!gateway || !this.deadLetterAllowed || this.deadLetterAllowed({ unit: gateway.unit, gateway: gateway.gateway })) return true;
    this.stats.refused++;
    return false;
  }

  /** The broker's 'client' event: a connection is registered. */
  clientConnected(client: Client): void {
    const id = parseGatewayClientId(client.id);
    if (id) this.connection(client, id, true);
  }

  /** The broker's 'clientDisconnect' event. */
  clientDisconnected(client: Client): void {
    const id = parseGatewayClientId(client.id) ?? this.bound.get(client);
    if (id) this.connection(client, id, false);
  }

  /** Starts committing what waits now (or, with a commit in flight, right after it). */
  flush(): void {
    if (this.timer) clearTimer(this.timer);
    this.timer = undefined;
    if (this.committing) return; // its end flushes again
    const batch = this.queue.splice(0, this.maxBatch);
    for (const [key, entry] of this.telemetry) {
      if (batch.length >= this.maxBatch) break;
      batch.push(entry);
      this.telemetry.delete(key);
    }
    if (batch.length === 0) {
      this.drained.splice(0).forEach((resolve) => resolve());
      return;
    }
    const committing = this.commit(batch).finally(() => {
      this.committing = undefined;
      if (this.retryTimer) return; // the retry flushes
      if (this.idle()) this.drained.splice(0).forEach((resolve) => resolve());
      else if (!this.onlyPresenceWaiting()) this.flush();
      // else: only presence rows came in meanwhile, and their own wait (the timer the first of
      // them set) commits them, with the rest of a storm's; committed now, a storm of 10,000 was
      // a commit per ~4 connects (one per commit's duration) rather than one per presenceDelayMs.
    });
    this.committing = committing;
  }

  /** Resolves when everything received so far is committed (or failed and reported). */
  drain(): Promise<void> {
    if (this.idle() && !this.committing) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /**
   * Writes what is left (trying for stopTimeoutMs), then refuses anything new and closes this
   * run's presence intervals (what follows the stop is unknown to the ledger). The ledger stays open.
   */
  async stop(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'stopping';
    this.flush();
    let timeout: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timeout = setTimeout(resolve, this.stopTimeoutMs)));
    await Promise.race([this.drain(), late]);
    clearTimeout(timeout);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.state = 'closed';
    const left = this.queue.concat([...this.telemetry.values()]);
    this.queue = [];
    this.telemetry.clear();
    if (left.length > 0) this.fail(left, new Error(`the ledger stayed busy for ${this.stopTimeoutMs} ms while the central stopped`));
    // A commit still in flight ends (commits or fails) on its own; its callbacks are answered then.
    await this.committing;
    this.drained.splice(0).forEach((resolve) => resolve());
    try {
      await this.ledger.endPresence(this.now());
    } catch (err) {
      this.log.warn({ err }, 'could not record the end of presence in the ledger; the next change of each gateway will');
    }
  }

  /** Nothing but presence rows waits, on their own timer (a timer that fired during the commit, or stopping, flushes at once). */
  private onlyPresenceWaiting(): boolean {
    if (!this.timer || !this.timerForPresence || this.state !== 'open' || this.telemetry.size > 0) return false;
    for (const e of this.queue) if (e.message.kind !== 'connection') return false;
    return true;
  }

  private idle(): boolean {
    return this.queue.length === 0 && this.telemetry.size === 0;
  }

  private enqueue(e: Entry): boolean {
    if (this.state === 'closed') {
      this.stats.refused++;
      this.log.warn({ topic: e.topic, kind: e.message.kind }, 'message refused: the ingest is stopped');
      return false;
    }
    const m = e.message;
    if (m.kind === 'telemetry') {
      const key = `${m.unit}/${m.gateway}/${m.kit}/${m.component}`;
      const replaced = this.telemetry.get(key);
      // A held (QoS 1) reading replaced by a newer one is answered with the newer one's commit:
      // dropped, its sender would get no PUBACK and Aedes would never read that connection again.
      // (A QoS 0 reading in between owes nothing itself, only what it replaced.)
      const owed = replaced?.done !== undefined ? replaced : replaced?.answers;
      if (owed) e.answers = owed;
      this.telemetry.set(key, e);
    } else this.queue.push(e);
    if (this.retryTimer) return true; // the retry commits everything
    if (this.queue.length + this.telemetry.size >= this.maxBatch) this.flush();
    else if (m.kind === 'connection') {
      if (!this.timer) this.schedule(this.presenceDelayMs, true);
    } else if (!this.timer || this.timerForPresence) this.schedule(this.maxDelayMs, false);
    return true;
  }

  /** The next flush, in delayMs (0: at the end of this event-loop turn), replacing the one planned. */
  private schedule(delayMs: number, forPresence: boolean): void {
    if (this.timer) clearTimer(this.timer);
    this.timerForPresence = forPresence;
    this.timer = delayMs > 0 ? setTimeout(() => this.flush(), delayMs) : setImmediate(() => this.flush());
  }

  /** Never rejects: every entry is answered (committed, retried later, or failed). */
  private async commit(batch: Entry[]): Promise<void> {
    const started = Date.now();
    try {
      const { invalid, ...result } = await this.ledger.insertBatch(batch.map((e) => e.message));
      this.stats.commits++;
      this.retryBackoff.reset();
      const moved = invalid ? this.deadLetterInvalid(batch, invalid) : undefined;
      for (const e of batch) if (!moved?.has(e)) this.answer(e, null);
      let oldest = started;
      for (const e of batch) if (e.message.receivedAt < oldest) oldest = e.message.receivedAt;
      this.emit('commit', { ...result, messages: batch.length, waitedMs: Date.now() - oldest });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (isTransient(error)) {
        // Stopped: no more retries, and one by one would only meet the same unreachable database.
        if (this.state === 'closed') return this.fail(batch, error);
        return this.retryLater(batch, error);
      }
      this.log.error({ err: error, messages: batch.length }, 'ledger batch failed; writing its messages one by one');
      for (const e of batch) await this.commitAlone(e);
    }
  }

  /**
   * Another connection holds the write lock (a backup, a migration), or the database is away for
   * a moment: keep the batch (its PUBACKs held) and try again, backing off to 1 s.
   */
  private retryLater(batch: Entry[], error: Error): void {
    this.queue = batch.concat(this.queue);
    this.stats.retries++;
    const retryInMs = this.retryBackoff.next();
    this.log.warn({ err: error, messages: batch.length, retryInMs }, 'ledger busy or unreachable; retrying');
    this.emit('retry', error);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flush();
    }, retryInMs);
  }

  /** After a failed batch: one message at a time, so one bad message cannot hold back the rest. */
  private async commitAlone(e: Entry): Promise<void> {
    try {
      const { invalid } = await this.ledger.insertBatch([e.message]);
      if (!invalid || !this.deadLetterInvalid([e], invalid).has(e)) this.answer(e, null);
      return;
    } catch (err) {
      if (e.message.kind !== 'dead-letter' && e.message.kind !== 'connection') {
        const reason = `the ledger could not store it: ${err instanceof Error ? err.message : String(err)}`;
        try {
          await this.ledger.insertBatch([{ kind: 'dead-letter', topic: e.topic, payload: e.payload, reason, clientId: e.clientId, receivedAt: e.message.receivedAt }]);
          this.answer(e, null);
          return;
        } catch {
          // reported below with the first error
        }
      }
      this.fail([e], err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * The usage events the writer found invalid (uncheckedUsage): each becomes a dead letter with
   * the writer's reason, first in the queue (committed next), and takes over the event's answer,
   * so a QoS 1 sender still gets its PUBACK once the dead letter is on disk; past the gateway's
   * dead-letter quota it is dropped and answered now, as validate()'s dead letters are. Returns
   * the entries whose answer moved to a dead letter.
   */
  private deadLetterInvalid(batch: readonly Entry[], invalid: NonNullable<BatchResult['invalid']>): Set<Entry> {
    const moved = new Set<Entry>();
    const letters: Entry[] = [];
    for (const { index, reason } of invalid) {
      const e = batch[index];
      if (!e || e.message.kind !== 'unchecked-usage') continue;
      const { unit, gateway, receivedAt } = e.message;
      if (!this.mayDeadLetter({ unit, gateway })) continue;
      letters.push(entry({ kind: 'dead-letter', topic: e.topic, payload: e.payload, reason, clientId: e.clientId, receivedAt }, e.topic, e.payload, e.clientId, e));
      moved.add(e);
    }
    if (letters.length === 0) return moved;
    if (this.state === 'closed') {
      this.fail(letters, new Error('central is stopped'));
      return moved;
    }
    // The commit in flight flushes again when it ends: these go first.
    this.queue = letters.concat(this.queue);
    return moved;
  }

  /** Not written: a QoS 1 sender gets no PUBACK (the broker drops its connection) and sends it again. */
  private fail(entries: Entry[], error: Error): void {
    this.stats.failed += entries.length;
    this.log.error({ err: error, messages: entries.length, topics: [...new Set(entries.map((e) => e.topic))].slice(0, 10) }, 'messages not written to the ledger');
    for (const e of entries) this.answer(e, error);
  }

  /**
   * An entry's outcome to its sender, and to the earlier ones it answers for (`answers`): through
   * the client's line, so each PUBACK still goes out in arrival order (puback-order.ts).
   */
  private answer(e: Entry, error: Error | null): void {
    if (e.answers === undefined) return this.pubacks.answer(e, error);
    const chain: Entry[] = [];
    for (let x: Entry | undefined = e; x !== undefined; x = x.answers) chain.push(x);
    e.answers = undefined;
    // Oldest first, as they arrived (a line orders them anyway; an answer with no line goes straight out).
    for (let i = chain.length - 1; i >= 0; i--) this.pubacks.answer(chain[i] as Entry, error);
  }

  /** A mismatch reason if the client publishes under a gateway that is not its own. */
  private checkIdentity(client: Client, topic: GatewayId, receivedAt: number): string | undefined {
    let id = this.gatewayOfId(client) ?? this.bound.get(client);
    if (!id) {
      id = { unit: topic.unit, gateway: topic.gateway };
      this.bound.set(client, id);
      this.connection(client, id, true, receivedAt);
    }
    if (id.unit === topic.unit && id.gateway === topic.gateway) return undefined;
    return `client '${client.id}' is gateway ${id.unit}/${id.gateway} but published under ${topic.unit}/${topic.gateway}`;
  }

  private connection(client: Client, id: GatewayId, connected: boolean, receivedAt = this.now()): void {
    const key = `${id.unit}/${id.gateway}`;
    if (connected) this.current.set(key, client);
    else if (this.current.get(key) !== client) return; // a replaced connection ending: the gateway is still here
    else this.current.delete(key);
    this.enqueue(entry({ kind: 'connection', ...id, connected, clientId: client.id, receivedAt }, '', Buffer.alloc(0), client.id));
  }
}

function clearTimer(timer: NodeJS.Timeout | NodeJS.Immediate): void {
  if ('refresh' in timer) clearTimeout(timer);
  else clearImmediate(timer);
}
