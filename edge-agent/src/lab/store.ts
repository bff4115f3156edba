import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabSensorInfo } from './sensors.ts';

export type ExperimentState = 'running' | 'done' | 'stopped' | 'interrupted';

export interface Mark {
  /** Milliseconds since the experiment started. */
  atMs: number;
  label: string;
}

/** What an experiment is, kept in {dataDir}/experiments/{id}/meta.json. */
export interface ExperimentMeta {
  id: string;
  title: string;
  group: string;
  by: string | undefined;
  sensors: LabSensorInfo[];
  kits: string[];
  rateHz: number;
  durationS: number;
  /** Wall-clock ms of sample 0. */
  startedAt: number;
  stoppedAt: number | undefined;
  state: ExperimentState;
  /** Samples on disk (rows of readings.jsonl). */
  samples: number;
  marks: Mark[];
}

/** One sample: ms since the start, then one value per sensor (null: the kit was not connected). */
export type Row = [number, ...(number | null)[]];

/**
 * Experiments on the gateway's disk, one folder each: meta.json (rewritten whole, through a
 * rename, so a power cut leaves the old or the new one) and readings.jsonl (appended, a row a
 * line), so a page closed or an agent restarted loses nothing already flushed.
 */
export class ExperimentStore {
  constructor(readonly dir: string) {}

  private folder(id: string): string {
    return join(this.dir, id);
  }

  create(meta: ExperimentMeta): void {
    mkdirSync(this.folder(meta.id), { recursive: true });
    writeFileSync(join(this.folder(meta.id), 'readings.jsonl'), '');
    this.save(meta);
  }

  save(meta: ExperimentMeta): void {
    const file = join(this.folder(meta.id), 'meta.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(meta, null, 1));
    renameSync(`${file}.tmp`, file);
  }

  append(id: string, rows: Row[]): void {
    if (rows.length === 0) return;
    appendFileSync(join(this.folder(id), 'readings.jsonl'), rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  }

  meta(id: string): ExperimentMeta | undefined {
    // Ids come from requests: only ours (see newId) name a folder.
    if (!/^[\w-]{1,80}$/.test(id)) return undefined;
    const file = join(this.folder(id), 'meta.json');
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, 'utf8')) as ExperimentMeta;
  }

  rows(id: string): Row[] {
    const text = readFileSync(join(this.folder(id), 'readings.jsonl'), 'utf8');
    const rows: Row[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        rows.push(JSON.parse(line) as Row);
      } catch {
        // A line cut short by a power failure: the rows before it stand.
      }
    }
    return rows;
  }

  /** Every experiment on disk, newest first. */
  list(): ExperimentMeta[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .map((id) => this.meta(id))
      .filter((meta): meta is ExperimentMeta => meta !== undefined)
      .sort((a, b) => b.startedAt - a.startedAt);
  }
}
