/**
 * The central's retention (central.yaml `retention`, issue 14.4): what is not the usage ledger is
 * pruned, so that a gateway's credentials, or years of use, cannot fill the disk.
 *
 * - Dead letters older than `deadLetterDays` (by arrival).
 * - A device's latest telemetry reading when no newer one came for `telemetryDays` (by arrival).
 * - A retained message when nothing was published on its topic for `retainedDays` and no client
 *   of its gateway is connected here (a gateway online for months keeps its birth). The broker's
 *   persistence keeps no time, so the central notes when it sees each retained publish; a
 *   retained message it has not seen published (stored before this start, or published on
 *   another cluster node) counts from the first sweep that finds it. It is deleted from the
 *   persistence directly: no empty message is delivered to anyone.
 *
 * Usage events, presence, gaps and reports are never pruned: they are the quarterly reports'.
 * A sweep runs at start and every `sweepMinutes`; deletions go in batches of 1,000 rows through
 * the ledger's writing connection, in turn with the ingest's batches (no second writer to wait
 * for SQLite's lock), so the writer is never held for long. The clock is injected (`now`) for tests.
 */
import type { Aedes, PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import { gatewayClientId, parseTopic } from '@stemlab/protocol';
import type { SqlValue } from './ledger/sql.ts';

export interface RetentionOptions {
  deadLetterDays: number;
  telemetryDays: number;
  retainedDays: number;
  sweepMinutes: number;
}

export const DEFAULT_RETENTION: RetentionOptions = { deadLetterDays: 30, telemetryDays: 30, retainedDays: 90, sweepMinutes: 60 };

export interface Pruned {
  deadLetters: number;
  telemetry: number;
  retained: number;
}

const DAY = 86_400_000;
const BATCH = 1000;

interface RetainedStore {
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<PublishPacket>;
  storeRetained(packet: PublishPacket): Promise<void>;
}

export class Retention {
  /** Totals since start, for /metrics and tests. */
  readonly pruned: Pruned = { deadLetters: 0, telemetry: 0, retained: 0 };
  /** When each retained topic was last published (or first found), by this central's clock. */
  private readonly retainedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Pruned> | undefined;

  constructor(
    private readonly options: RetentionOptions,
    /** Runs a deletion on the ledger's writing connection (Ledger.maintain: on SQLite, its writer thread), in turn with the ingest's batches. */
    private readonly ledger: { maintain(statement: string, params: readonly SqlValue[]): Promise<number> },
    private readonly broker: () => Aedes | undefined,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A publish the broker is letting through: a retained one renews its topic's age (an empty one removes it). */
  published(packet: PublishPacket): void {
    if (!packet.retain) return;
    if (packet.payload.length === 0) this.retainedAt.delete(packet.topic);
    else this.retainedAt.set(packet.topic, this.now());
  }

  /** Sweeps now, then every sweepMinutes. */
  start(): void {
    const sweep = () => void this.sweep().catch((err: unknown) => this.log.warn({ err }, 'retention sweep failed; tried again at the next'));
    sweep();
    this.timer = setInterval(sweep, this.options.sweepMinutes * 60_000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep (one at a time: a sweep asked for during another gets that one's result). */
  sweep(): Promise<Pruned> {
    return (this.running ??= this.sweepOnce().finally(() => (this.running = undefined)));
  }

  private async sweepOnce(): Promise<Pruned> {
    const now = this.now();
    const { deadLetterDays, telemetryDays, retainedDays } = this.options;
    const deadLetters = await this.deleteBatches('DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE received_at < ? LIMIT ?)', now - deadLetterDays * DAY);
    const telemetry = await this.deleteBatches(
      `DELETE FROM telemetry_latest WHERE (unit, gateway, kit, component) IN
         (SELECT unit, gateway, kit, component FROM telemetry_latest WHERE received_at < ? LIMIT ?)`,
      now - telemetryDays * DAY,
    );
    const retained = await this.pruneRetained(now, now - retainedDays * DAY);
    const pruned = { deadLetters, telemetry, retained };
    this.pruned.deadLetters += deadLetters;
    this.pruned.telemetry += telemetry;
    this.pruned.retained += retained;
    if (deadLetters + telemetry + retained > 0) this.log.info({ ...pruned, ...this.options }, 'retention: pruned');
    return pruned;
  }

  private async deleteBatches(sql: string, before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const changes = await this.ledger.maintain(sql, [before, BATCH]);
      total += changes;
      if (changes < BATCH) return total;
    }
  }

  private async pruneRetained(now: number, before: number): Promise<number> {
    const broker = this.broker();
    if (!broker) return 0;
    // Aedes's typings omit its persistence and its table of clients.
    const store = (broker as unknown as { persistence: RetainedStore }).persistence;
    const stale: string[] = [];
    const present = new Set<string>();
    for await (const packet of store.createRetainedStreamCombi(['#'])) {
      present.add(packet.topic);
      const at = this.retainedAt.get(packet.topic);
      if (at === undefined) this.retainedAt.set(packet.topic, now);
      else if (at < before && !this.gatewayConnected(broker, packet.topic)) stale.push(packet.topic);
    }
    // Topics cleared by other means (an empty retained publish on another node) are forgotten.
    for (const topic of this.retainedAt.keys()) if (!present.has(topic)) this.retainedAt.delete(topic);
    let deleted = 0;
    for (const topic of stale) {
      // Published again while the stream was read: not stale any more.
      if ((this.retainedAt.get(topic) ?? now) >= before) continue;
      await store.storeRetained({ cmd: 'publish', topic, payload: Buffer.alloc(0), qos: 0, retain: true, dup: false } as PublishPacket);
      this.retainedAt.delete(topic);
      deleted++;
    }
    return deleted;
  }

  private gatewayConnected(broker: Aedes, topic: string): boolean {
    const parsed = parseTopic(topic);
    const clients = (broker as unknown as { clients: Record<string, unknown> }).clients;
    return parsed !== undefined && clients[gatewayClientId(parsed.unit, parsed.gateway)] !== undefined;
  }
}
