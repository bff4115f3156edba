/**
 * Per-gateway quotas, so that one gateway's credentials cannot fill the central's disk:
 *
 * - payload size per topic kind (a usage event is a few hundred bytes; 50 KB of "telemetry" is not
 *   a reading): over it, the publish is dropped (policy.ts drop);
 * - retained messages: only the contract's retained topics (the gateway's state and each kit's
 *   state) keep a retained copy, at most `retainedTopics` of them per gateway and `retainedBytes`
 *   in all; past that, the message is delivered but not retained;
 * - dead letters per hour: past the quota, what would be dead-lettered is counted and dropped
 *   (the ingest asks `deadLetterAllowed`).
 *
 * Each hit is counted by gateway and quota (`hits`, in /metrics as stemlab_quota_hits_total) and
 * logged as an alert (warn, `quota hit`) once per gateway and quota per hour, and the latest hits
 * are listed for the API (GET /api/v1/security/quota-hits).
 */
import type { Logger } from 'pino';
import type { GatewayId, ParsedTopic } from '@stemlab/protocol';
import { parsedTopic } from '../parsed-topics.ts';

type TopicKind = ParsedTopic['kind'];

export interface QuotaOptions {
  /** Largest payload, in bytes, per topic kind. */
  payloadBytes: { usage: number; state: number; kitState: number; telemetry: number; reply: number };
  /** Retained topics one gateway may hold. */
  retainedTopics: number;
  /** Bytes of retained payloads one gateway may hold. */
  retainedBytes: number;
  /** Dead letters one gateway may cause per hour; 0: no limit. */
  deadLettersPerHour: number;
}

export const DEFAULT_QUOTAS: QuotaOptions = {
  payloadBytes: { usage: 8 * 1024, state: 4 * 1024, kitState: 4 * 1024, telemetry: 2 * 1024, reply: 64 * 1024 },
  retainedTopics: 256,
  retainedBytes: 512 * 1024,
  deadLettersPerHour: 200,
};

export type QuotaName = 'payload' | 'retained-topics' | 'retained-bytes' | 'retained-not-allowed' | 'dead-letters';

export interface QuotaHit {
  unit: string;
  gateway: string;
  quota: QuotaName;
  count: number;
  lastAt: number;
  detail: string;
}

const HOUR = 3_600_000;
const kindOf: Partial<Record<TopicKind, keyof QuotaOptions['payloadBytes']>> = { usage: 'usage', 'gateway-state': 'state', 'kit-state': 'kitState', telemetry: 'telemetry', reply: 'reply' };
const RETAINED_KINDS: ReadonlySet<TopicKind> = new Set(['gateway-state', 'kit-state']);

export class GatewayQuotas {
  private readonly hitsByKey = new Map<string, QuotaHit & { alertedAt: number }>();
  private readonly retained = new Map<string, Map<string, number>>();
  private readonly deadLetters = new Map<string, { hourStart: number; count: number }>();

  constructor(
    readonly options: QuotaOptions,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every gateway's hits, for /metrics and the API. */
  hits(): QuotaHit[] {
    return [...this.hitsByKey.values()].map(({ alertedAt: _alertedAt, ...hit }) => hit);
  }

  /**
   * What to do with a gateway's publish: 'drop' (over its payload limit), 'unretain' (deliver,
   * keep no retained copy), or undefined (as it is).
   */
  check(gateway: GatewayId, topic: string, payloadBytes: number, retain: boolean): 'drop' | 'unretain' | undefined {
    const parsed = parsedTopic(topic);
    const kind = parsed && kindOf[parsed.kind];
    if (kind && payloadBytes > this.options.payloadBytes[kind]) {
      this.hit(gateway, 'payload', `${payloadBytes} bytes on ${topic}, over ${this.options.payloadBytes[kind]} for ${kind}`);
      return 'drop';
    }
    if (!retain) return undefined;
    if (!parsed || !RETAINED_KINDS.has(parsed.kind)) {
      if (payloadBytes === 0) return undefined; // clearing a retained message is always fine
      this.hit(gateway, 'retained-not-allowed', `retained message on ${topic}: only state topics are retained`);
      return 'unretain';
    }
    const key = `${gateway.unit}/${gateway.gateway}`;
    let held = this.retained.get(key);
    if (!held) this.retained.set(key, (held = new Map()));
    if (payloadBytes === 0) {
      held.delete(topic);
      return undefined;
    }
    const bytes = [...held.entries()].reduce((sum, [t, n]) => (t === topic ? sum : sum + n), 0);
    if (!held.has(topic) && held.size >= this.options.retainedTopics) {
      this.hit(gateway, 'retained-topics', `${held.size} retained topics held, the quota is ${this.options.retainedTopics}`);
      return 'unretain';
    }
    if (bytes + payloadBytes > this.options.retainedBytes) {
      this.hit(gateway, 'retained-bytes', `${bytes + payloadBytes} retained bytes, the quota is ${this.options.retainedBytes}`);
      return 'unretain';
    }
    held.set(topic, payloadBytes);
    return undefined;
  }

  /** Whether one more dead letter may be stored for this gateway this hour (counted either way). */
  deadLetterAllowed(gateway: GatewayId): boolean {
    if (this.options.deadLettersPerHour <= 0) return true;
    const key = `${gateway.unit}/${gateway.gateway}`;
    const now = this.now();
    let c = this.deadLetters.get(key);
    if (!c || now - c.hourStart >= HOUR) this.deadLetters.set(key, (c = { hourStart: now, count: 0 }));
    c.count++;
    if (c.count <= this.options.deadLettersPerHour) return true;
    this.hit(gateway, 'dead-letters', `more than ${this.options.deadLettersPerHour} dead letters this hour`);
    return false;
  }

  private hit(gateway: GatewayId, quota: QuotaName, detail: string): void {
    const key = `${gateway.unit}/${gateway.gateway}/${quota}`;
    const now = this.now();
    let hit = this.hitsByKey.get(key);
    if (!hit) this.hitsByKey.set(key, (hit = { unit: gateway.unit, gateway: gateway.gateway, quota, count: 0, lastAt: now, detail, alertedAt: -Infinity }));
    hit.count++;
    hit.lastAt = now;
    hit.detail = detail;
    if (now - hit.alertedAt >= HOUR) {
      hit.alertedAt = now;
      this.log.warn({ unit: gateway.unit, gateway: gateway.gateway, quota, detail, count: hit.count }, 'quota hit: a gateway is over one of its quotas (alert; logged once an hour per gateway and quota)');
    }
  }
}
