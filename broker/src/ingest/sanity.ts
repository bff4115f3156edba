/**
 * What a usage event that fits the schema still cannot be: times and counts checked against the
 * gateway's clock, the time it reached the central and the session's own figures. A refused
 * event is dead-lettered with the reason (ingest.ts), never counted in a report.
 *
 * The bounds leave room for what real gateways do: a Pi without a real-time clock boots with a
 * stale wall clock (`clock.synced` false: any past time, even 1970, is possible, and the ledger
 * corrects it from the boot's uptime); an outbox replayed after weeks offline carries old times
 * (up to its maxAgeDays, 10 years at most). What is refused cannot be true on any gateway: a
 * synchronised clock in the future or before the programme, a session that ends before it
 * starts, lasts more than MAX_SESSION_MS, or ran longer than its own span.
 */
import type { UsageEvent } from '@stemlab/protocol';

/** The earliest time a synchronised clock may say: before it, STEMLab Edge did not exist. */
export const EARLIEST_AT = Date.UTC(2020, 0, 1);
/** How far ahead of the central a synchronised clock may be (NTP is good to well under this). */
export const SYNCED_AHEAD_MS = 10 * 60_000;
/** How far ahead of the central an unsynchronised clock may be (a wrong RTC). */
export const UNSYNCED_AHEAD_MS = 366 * 86_400_000;
/** The longest a session may last: idle ends a session after minutes; a week-long data logger is allowed. */
export const MAX_SESSION_MS = 31 * 86_400_000;
/** Rounding between the gateway's clocks (ms). */
const SLACK_MS = 1000;
/** Most motors one kit session can sum (motorMs is summed over motors). */
const MAX_MOTORS = 32;

/** Why `event` cannot be true, or undefined if it can. */
export function usageInsanity(event: UsageEvent, receivedAt: number): string | undefined {
  const { at, clock } = event;
  const ahead = clock.synced ? SYNCED_AHEAD_MS : UNSYNCED_AHEAD_MS;
  if (at > receivedAt + ahead) {
    return `at ${iso(at)} is ${clock.synced ? 'ahead of' : 'more than a year ahead of'} the central's time (${iso(receivedAt)})${clock.synced ? ' although the clock says it is synchronised' : ''}`;
  }
  if (clock.synced && at < EARLIEST_AT) return `at ${iso(at)} is before ${iso(EARLIEST_AT)} although the clock says it is synchronised`;
  if (event.type === 'outbox.evicted') {
    const { fromSeq, toSeq, count } = event.evicted;
    if (!(fromSeq <= toSeq && toSeq < event.seq)) return `evicted seqs ${fromSeq}..${toSeq} must be in order and before the event's own seq ${event.seq}`;
    if (count > toSeq - fromSeq + 1) return `evicted count ${count} is more than the seqs ${fromSeq}..${toSeq} hold`;
    return undefined;
  }
  const { startedAt } = event.session;
  if (startedAt > at + SLACK_MS) return `session.startedAt ${iso(startedAt)} is after the event's at ${iso(at)}`;
  if (at - startedAt > MAX_SESSION_MS + SLACK_MS) return `the session started ${days(at - startedAt)} before the event; a session lasts at most ${days(MAX_SESSION_MS)}`;
  if (event.type === 'session.start') return undefined;
  const { endedAt, durationMs, counts } = event.session;
  const span = endedAt - startedAt;
  if (span < 0) return `session.endedAt ${iso(endedAt)} is before session.startedAt ${iso(startedAt)}`;
  if (endedAt > at + SLACK_MS) return `session.endedAt ${iso(endedAt)} is after the event's at ${iso(at)}`;
  if (durationMs > span + SLACK_MS) return `session.durationMs ${durationMs} is longer than the session's span (${span} ms from startedAt to endedAt)`;
  const spanMs = Math.max(span, durationMs) + SLACK_MS;
  if (counts.motorMs > spanMs * MAX_MOTORS) return `counts.motorMs ${counts.motorMs} is more than ${MAX_MOTORS} motors running for the whole session (${spanMs} ms)`;
  for (const field of ['activations', 'readings'] as const) {
    if (counts[field] > spanMs * 10) return `counts.${field} ${counts[field]} is more than 10 per millisecond of the session (${spanMs} ms)`;
  }
  return undefined;
}

const iso = (ms: number) => (Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms));
const days = (ms: number) => `${(ms / 86_400_000).toFixed(1)} days`;
