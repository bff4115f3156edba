/**
 * The technician's view of the kits: the self-test from the room console, per kit or all, and
 * each kit's history (its self-test results and its faults), kept in {dataDir}/kit-care.json so
 * it outlives the agent. The self-test is tools/selftest.ts, the one `stemlab agent selftest`
 * runs; it moves motors and servos, so the console must say so and get a yes first
 * (`confirm: true`), or the request is refused with CONFIRM_MOTORS naming what would move.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { describeIssues } from '@stemlab/protocol';
import type { Agent } from '../agent.ts';
import type { Extension } from '../core/extension.ts';
import { selftest, type KitCheck, type SelftestReport } from '../tools/selftest.ts';
import { ClubError } from './errors.ts';

/** Kept per kit: the newest first, this many. */
const KEEP_SELFTESTS = 20;
const KEEP_FAULTS = 100;

export interface KitSelftest {
  at: number;
  by: string;
  status: KitCheck['status'];
  detail: string;
  /** Absent in results kept before the self-test spoke Vietnamese. */
  detailVi?: string;
  components: KitCheck['components'];
}

export interface KitFaultEntry {
  at: number;
  state: string;
  reason: string | undefined;
}

interface CareFile {
  kits: Record<string, { selftests: KitSelftest[]; faults: KitFaultEntry[] }>;
}

const requestSchema = z.strictObject({ kits: z.array(z.string().max(64)).min(1).max(50).optional(), confirm: z.boolean().optional() });

export class KitCare implements Extension {
  readonly name = 'kit-care';
  private off: (() => void) | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly agent: Agent,
    readonly file: string,
    private readonly run: (agent: Agent, options: { kits?: readonly string[] }) => Promise<SelftestReport> = selftest,
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    this.off = this.agent.bus.on('kit:state', ({ kit, state, reason, at }) => {
      if (state !== 'fault' && state !== 'disconnected') return;
      this.update((data) => {
        const entry = this.entry(data, kit);
        entry.faults = [{ at, state, reason }, ...entry.faults].slice(0, KEEP_FAULTS);
      });
    });
  }

  async stop(): Promise<void> {
    this.off?.();
    this.off = undefined;
  }

  /** The components a self-test of `kits` would move. */
  moving(kits: readonly string[]): string[] {
    return kits.flatMap((id) =>
      (this.agent.config.kits.find((k) => k.id === id)?.components ?? []).filter((c) => c.type === 'motor' || c.type === 'servo').map((c) => `${id}/${c.id}`),
    );
  }

  /** Run the self-test on the kits asked (all when absent), after the yes for moving parts; one at a time. */
  selftest(body: unknown, by: string): Promise<SelftestReport> {
    const parsed = requestSchema.safeParse(body ?? {});
    if (!parsed.success) {
      const why = describeIssues(parsed.error);
      throw new ClubError('SESSION_INVALID', `self-test: ${why}; send {"kits": ["robot-1"], "confirm": true}`, `tự kiểm tra: ${why}; gửi {"kits": ["robot-1"], "confirm": true}`);
    }
    const kits = parsed.data.kits ?? [...this.agent.kits.keys()];
    for (const id of kits) {
      if (!this.agent.kits.has(id)) throw new ClubError('KIT_UNKNOWN', `kits: no kit '${id}' on this gateway`, `kits: gateway không có bộ kit '${id}'`);
    }
    const moving = this.moving(kits);
    if (moving.length > 0 && parsed.data.confirm !== true) {
      throw new ClubError(
        'CONFIRM_MOTORS',
        `the self-test turns ${moving.join(', ')} briefly: make sure the robots are off the floor or have room, then confirm (send "confirm": true)`,
        `tự kiểm tra sẽ quay ${moving.join(', ')} trong giây lát: hãy chắc rằng robot được nhấc lên hoặc có chỗ trống, rồi xác nhận ("confirm": true)`,
      );
    }
    const work = this.running.then(() => this.run(this.agent, { kits }));
    this.running = work.catch(() => undefined);
    return work.then((report) => {
      const at = this.now();
      this.update((data) => {
        for (const kit of report.kits) {
          const entry = this.entry(data, kit.kit);
          entry.selftests = [{ at, by, status: kit.status, detail: kit.detail, detailVi: kit.detailVi, components: kit.components }, ...entry.selftests].slice(0, KEEP_SELFTESTS);
        }
      });
      return report;
    });
  }

  /** Every kit with its last self-tests and faults, newest first. */
  history(): Array<{ kit: string; label: string | undefined; state: string; selftests: KitSelftest[]; faults: KitFaultEntry[] }> {
    const data = this.read();
    return [...this.agent.kits.values()].map((kit) => {
      const entry = data.kits[kit.id] ?? { selftests: [], faults: [] };
      const status = kit.status();
      return { kit: kit.id, label: status.label, state: status.state, ...entry };
    });
  }

  private entry(data: CareFile, kit: string) {
    return (data.kits[kit] ??= { selftests: [], faults: [] });
  }

  private read(): CareFile {
    if (!existsSync(this.file)) return { kits: {} };
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as CareFile;
      return data && typeof data.kits === 'object' ? data : { kits: {} };
    } catch {
      // A file cut short by a power cut: the history starts again rather than the agent failing.
      return { kits: {} };
    }
  }

  private update(change: (data: CareFile) => void): void {
    const data = this.read();
    change(data);
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(data));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
