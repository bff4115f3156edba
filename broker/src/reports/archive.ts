/**
 * The quarter's report as submitted. Some time before each deadline (25/3, 25/6, 25/9, 25/12 at
 * 17:00, Vietnam time) the central writes the quarter's report to {dataDir}/reports/{quarter}/:
 * JSON, and CSV and XLSX in Vietnamese and in English. The department then has it on time
 * without anyone running a command, and keeps the figures it sent even when late data (a gateway
 * back from weeks offline) changes a report computed later.
 *
 * A central that was down at that moment writes the missed quarters at its next start (the
 * report's own `onTime` then says it came late); quarters due before the archive was first
 * started (a new installation) are not made up. Each file is written under a temporary name and
 * renamed, the JSON last: a quarter counts as archived once its JSON is there, and a crash midway
 * leaves it to be written again.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { toCsv, toJson } from './csv.ts';
import type { QuarterlyReport } from './model.ts';
import { localIso, nextQuarter, quarterBounds, quarterOf } from './quarter.ts';
import { toXlsx } from './xlsx.ts';

const QUARTER = /^\d{4}Q[1-4]$/;

export interface ArchivedReport {
  quarter: string;
  generatedAt: string;
  onTime: boolean;
  /** File names, to fetch with ReportArchive.path. */
  files: string[];
}

export class ReportArchive {
  constructor(readonly dir: string) {}

  /** Archived quarters, newest first. */
  list(): ArchivedReport[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => QUARTER.test(name) && this.has(name))
      .sort()
      .reverse()
      .map((quarter) => {
        const report = JSON.parse(readFileSync(join(this.dir, quarter, jsonName(quarter)), 'utf8')) as QuarterlyReport;
        return { quarter, generatedAt: report.generatedAt, onTime: report.onTime, files: readdirSync(join(this.dir, quarter)).filter((f) => !f.endsWith('.tmp')).sort() };
      });
  }

  has(quarter: string): boolean {
    return existsSync(join(this.dir, quarter, jsonName(quarter)));
  }

  /** The file's path if the quarter has it; undefined for any other name (no path tricks). */
  path(quarter: string, file: string): string | undefined {
    if (!QUARTER.test(quarter) || !this.has(quarter)) return undefined;
    return readdirSync(join(this.dir, quarter)).includes(file) && !file.endsWith('.tmp') ? join(this.dir, quarter, file) : undefined;
  }

  async write(report: QuarterlyReport): Promise<ArchivedReport> {
    const folder = join(this.dir, report.quarter);
    mkdirSync(folder, { recursive: true });
    const put = (name: string, content: string | Buffer) => {
      // A name of its own: two nodes sharing a data dir may write the same quarter at once.
      const tmp = join(folder, `${name}.${randomBytes(4).toString('hex')}.tmp`);
      writeFileSync(tmp, content);
      renameSync(tmp, join(folder, name));
    };
    for (const lang of ['vi', 'en'] as const) {
      put(`stemlab-${report.quarter}-${lang}.csv`, toCsv(report, lang));
      put(`stemlab-${report.quarter}-${lang}.xlsx`, await toXlsx(report, lang));
    }
    put(jsonName(report.quarter), toJson(report));
    return this.list().find((a) => a.quarter === report.quarter)!;
  }

  /** When this archive was first scheduled; quarters due before then are not made up. */
  since(now: number): number {
    const file = join(this.dir, 'since');
    if (!existsSync(file)) {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(file, `${localIso(now)}\n`);
    }
    return Date.parse(readFileSync(file, 'utf8').trim());
  }
}

const jsonName = (quarter: string) => `stemlab-${quarter}.json`;

export interface ScheduleOptions {
  archive: ReportArchive;
  /** Computes the quarter's report now. */
  produce: (quarter: string) => Promise<QuarterlyReport>;
  /** How long before the deadline the report is written (default 60 minutes). */
  minutesBeforeDeadline?: number;
  now?: () => number;
  log: Logger;
}

/** The moment the quarter's report is written. */
export function dueAt(quarter: string, minutesBeforeDeadline: number): number {
  return quarterBounds(quarter).deadline - minutesBeforeDeadline * 60_000;
}

/**
 * Writes every quarter that is due and not archived, then sleeps until the next is due (waking
 * at least hourly, so that a clock set right or a suspended machine is noticed); after a failure,
 * tries again in 5 minutes. `settled()` resolves when the current pass is done (for tests).
 */
export function scheduleReports(options: ScheduleOptions): { stop(): void; settled(): Promise<void> } {
  const { archive, produce, log } = options;
  const now = options.now ?? Date.now;
  const lead = options.minutesBeforeDeadline ?? 60;
  let since: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let pass: Promise<void> = Promise.resolve();

  const run = async () => {
    let retry = false;
    try {
      since ??= archive.since(now());
    } catch (err) {
      retry = true;
      log.error({ err, dir: archive.dir }, 'cannot write the report archive; trying again in 5 minutes');
    }
    for (let quarter = quarterOf(since ?? now()); since !== undefined && dueAt(quarter, lead) <= now() && !stopped; quarter = nextQuarter(quarter)) {
      if (dueAt(quarter, lead) < since) continue;
      try {
        if (archive.has(quarter)) continue;
        const written = await archive.write(await produce(quarter));
        log.info({ quarter, onTime: written.onTime, dir: archive.dir }, 'quarterly report archived');
      } catch (err) {
        retry = true;
        log.error({ err, quarter }, 'could not archive the quarterly report; trying again in 5 minutes');
      }
    }
    if (stopped) return;
    const next = dueAt(nextDue(now(), lead), lead);
    timer = setTimeout(() => {
      pass = run();
    }, Math.max(1000, Math.min(next - now(), retry ? 5 * 60_000 : 3_600_000)));
    timer.unref();
  };
  pass = run();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    settled: () => pass,
  };
}

/** The first quarter whose report is due after `ms`. */
function nextDue(ms: number, lead: number): string {
  let quarter = quarterOf(ms);
  while (dueAt(quarter, lead) <= ms) quarter = nextQuarter(quarter);
  return quarter;
}
