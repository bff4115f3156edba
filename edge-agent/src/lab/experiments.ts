import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { describeIssues } from '@stemlab/protocol';
import type { Agent } from '../agent.ts';
import type { Extension } from '../core/extension.ts';
import { LabError } from './errors.ts';
import { labSensors, numberOf, type LabSensorInfo } from './sensors.ts';
import { ExperimentStore, type ExperimentMeta, type Row } from './store.ts';

/** The time experiments run on: the wall clock, or a test's manual clock shared with the simulated sensors. */
export interface LabScheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: LabScheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export const maxRateHz = 50;
export const maxDurationS = 2 * 3600;

export const startRequest = z.strictObject({
  title: z.string().trim().min(1).max(100).optional().describe('What the experiment is, e.g. "Newton cooling".'),
  group: z.string().trim().min(1).max(60).describe('Which group of students runs it, e.g. "Nhóm 1".'),
  sensors: z.array(z.string().min(3).max(80)).min(1).max(16).describe('The sensors, as "kit/component".'),
  rateHz: z.number().min(1).max(maxRateHz).describe(`Samples per second, 1–${maxRateHz}.`),
  durationS: z.number().int().min(1).max(maxDurationS).describe(`How long it runs before it stops by itself, in s (at most ${maxDurationS}).`),
});
export type StartRequest = z.infer<typeof startRequest>;

const markRequest = z.strictObject({ label: z.string().trim().min(1).max(80) });

/** Told when an experiment starts and ends (the gateway tags its kits for the usage ledger). */
export interface LabHooks {
  started?(meta: ExperimentMeta): void;
  ended?(meta: ExperimentMeta): void;
}

/** A running recording: samples every sensor at its rate until the duration or a stop. */
interface Running {
  meta: ExperimentMeta;
  rows: Row[];
  unflushed: Row[];
  timer: unknown;
}

/**
 * Lab experiments on the gateway: groups record chosen sensors at a rate for a duration, mark
 * events, stop, and export CSV/XLSX. Readings go to disk as they come (flushed every second),
 * so nothing depends on a page staying open. A kit belongs to one running experiment at a time.
 */
export class LabExperiments implements Extension {
  readonly name = 'lab';
  readonly store: ExperimentStore;
  readonly sensors: LabSensorInfo[];
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly agent: Agent,
    private readonly clock: LabScheduler = realScheduler,
    private readonly hooks: LabHooks = {},
  ) {
    this.store = new ExperimentStore(join(agent.config.dataDir, 'experiments'));
    this.sensors = labSensors(agent.config);
  }

  async start(): Promise<void> {
    // An experiment that was running when the agent stopped is kept, as far as it got.
    for (const meta of this.store.list()) {
      if (meta.state !== 'running') continue;
      const rows = this.store.rows(meta.id);
      this.store.save({ ...meta, state: 'interrupted', samples: rows.length, stoppedAt: meta.startedAt + (rows.at(-1)?.[0] ?? 0) });
    }
  }

  async stop(): Promise<void> {
    for (const id of [...this.running.keys()]) this.finish(id, 'interrupted');
  }

  /** Which running experiment holds each kit. */
  busyKits(): Record<string, { experiment: string; group: string }> {
    const busy: Record<string, { experiment: string; group: string }> = {};
    for (const { meta } of this.running.values()) for (const kit of meta.kits) busy[kit] = { experiment: meta.id, group: meta.group };
    return busy;
  }

  begin(input: unknown, by?: string): ExperimentMeta {
    const parsed = startRequest.safeParse(input);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      throw new LabError('EXPERIMENT_INVALID', `experiment: ${issues}`, `thí nghiệm: ${issues} (tần số lấy mẫu 1–${maxRateHz} Hz, thời gian 1–${maxDurationS} s, ít nhất một cảm biến)`);
    }
    const request = parsed.data;
    const chosen = [...new Set(request.sensors)].map((id) => {
      const sensor = this.sensors.find((s) => s.id === id);
      if (!sensor) {
        const known = this.sensors.map((s) => s.id).join(', ');
        throw new LabError('SENSOR_UNKNOWN', `sensors: '${id}' is not a sensor of this lab; choose among ${known}`, `cảm biến: '${id}' không có trong phòng thí nghiệm này; chọn trong ${known}`);
      }
      return sensor;
    });
    for (const sensor of chosen) {
      const fastest = 1000 / sensor.freqMs;
      if (request.rateHz > fastest) {
        throw new LabError('EXPERIMENT_INVALID', `rateHz: ${sensor.id} is read every ${sensor.freqMs} ms, so at most ${fastest} Hz; choose a lower rate`, `tần số: ${sensor.id} chỉ được đọc mỗi ${sensor.freqMs} ms, tối đa ${fastest} Hz; hãy chọn tần số thấp hơn`);
      }
    }
    const kits = [...new Set(chosen.map((s) => s.kit))];
    const busy = this.busyKits();
    for (const kit of kits) {
      const holder = busy[kit];
      if (holder) {
        throw new LabError('KIT_BUSY', `kit '${kit}' is used by group '${holder.group}' (experiment ${holder.experiment}); wait until it stops or choose another kit`, `bộ '${kit}' đang được nhóm '${holder.group}' dùng (thí nghiệm ${holder.experiment}); hãy đợi thí nghiệm đó dừng hoặc chọn bộ khác`);
      }
      if (!this.agent.kit(kit).connected) {
        throw new LabError('KIT_NOT_CONNECTED', `kit '${kit}' is not connected; plug it in (the agent keeps retrying)`, `bộ '${kit}' chưa kết nối; hãy cắm lại (hệ thống tự thử lại)`);
      }
    }
    const startedAt = this.clock.now();
    const meta: ExperimentMeta = {
      id: newId(startedAt),
      title: request.title ?? chosen.map((s) => s.label).join(', '),
      group: request.group,
      by,
      sensors: chosen,
      kits,
      rateHz: request.rateHz,
      durationS: request.durationS,
      startedAt,
      stoppedAt: undefined,
      state: 'running',
      samples: 0,
      marks: [],
    };
    this.store.create(meta);
    const run: Running = { meta, rows: [], unflushed: [], timer: undefined };
    this.running.set(meta.id, run);
    this.agent.log.info({ experiment: meta.id, group: meta.group, sensors: chosen.map((s) => s.id), rateHz: meta.rateHz, durationS: meta.durationS }, 'experiment started');
    this.hooks.started?.({ ...meta });
    this.sample(run);
    return { ...meta };
  }

  /** Stop a running experiment (by a person: `stopped`); a finished one is returned as it is. */
  end(id: string): ExperimentMeta {
    const meta = this.get(id);
    if (meta.state !== 'running') return meta;
    return this.finish(id, 'stopped');
  }

  mark(id: string, input: unknown): ExperimentMeta {
    const run = this.running.get(id);
    if (!run) {
      const meta = this.get(id);
      throw new LabError('EXPERIMENT_FINISHED', `experiment ${id} is ${meta.state}: marks go on a running experiment`, `thí nghiệm ${id} đã kết thúc: chỉ đánh dấu được khi đang chạy`);
    }
    const parsed = markRequest.safeParse(input);
    if (!parsed.success) throw new LabError('EXPERIMENT_INVALID', `mark: ${describeIssues(parsed.error)}; send {"label": "what happened"}`, `đánh dấu: cần một nhãn 1–80 ký tự, ví dụ {"label": "thêm đá"}`);
    run.meta.marks.push({ atMs: this.clock.now() - run.meta.startedAt, label: parsed.data.label });
    this.store.save(run.meta);
    return { ...run.meta };
  }

  get(id: string): ExperimentMeta {
    const run = this.running.get(id);
    if (run) return { ...run.meta };
    const meta = this.store.meta(id);
    if (!meta) throw new LabError('EXPERIMENT_UNKNOWN', `no experiment ${id} on this gateway`, `không có thí nghiệm ${id} trên thiết bị này`);
    return meta;
  }

  /** Rows from index `since` on (the page polls with the count it has). */
  rows(id: string, since = 0): Row[] {
    const run = this.running.get(id);
    if (run) return run.rows.slice(since);
    this.get(id);
    return this.store.rows(id).slice(since);
  }

  list(): ExperimentMeta[] {
    return this.store.list().map((meta) => (this.running.has(meta.id) ? { ...this.running.get(meta.id)!.meta } : meta));
  }

  private sample(run: Running): void {
    const { meta } = run;
    const row: Row = [this.clock.now() - meta.startedAt, ...meta.sensors.map((s) => this.read(s))];
    run.rows.push(row);
    run.unflushed.push(row);
    meta.samples++;
    if (run.unflushed.length >= meta.rateHz) this.flush(run);
    const total = Math.round(meta.rateHz * meta.durationS);
    if (meta.samples >= total) {
      // The last sample is one period before the end: the experiment ends at its duration.
      run.timer = this.clock.setTimeout(() => this.finish(meta.id, 'done'), Math.max(0, meta.startedAt + meta.durationS * 1000 - this.clock.now()));
      return;
    }
    // Scheduled from the start, not from the last sample, so the rate does not drift.
    const next = meta.startedAt + (meta.samples * 1000) / meta.rateHz;
    run.timer = this.clock.setTimeout(() => this.sample(run), Math.max(0, next - this.clock.now()));
  }

  private read(sensor: LabSensorInfo): number | null {
    const kit = this.agent.kits.get(sensor.kit);
    if (!kit?.connected) return null;
    return numberOf(kit.devices.get(sensor.component)?.value());
  }

  private flush(run: Running): void {
    this.store.append(run.meta.id, run.unflushed);
    run.unflushed = [];
  }

  private finish(id: string, state: 'done' | 'stopped' | 'interrupted'): ExperimentMeta {
    const run = this.running.get(id)!;
    this.clock.clearTimeout(run.timer);
    this.running.delete(id);
    this.flush(run);
    run.meta.state = state;
    run.meta.stoppedAt = this.clock.now();
    this.store.save(run.meta);
    this.agent.log.info({ experiment: id, state, samples: run.meta.samples }, 'experiment ended');
    this.hooks.ended?.({ ...run.meta });
    return { ...run.meta };
  }
}

function newId(at: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
