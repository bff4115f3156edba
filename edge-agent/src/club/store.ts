import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A team of a club session: its name, the kit it has and its members (student accounts). */
export interface Team {
  /** 'team-1', 'team-2'...: the usage tag's teamId. */
  id: string;
  name: string;
  kit: string;
  members: string[];
}

/** A team's automatic-check verdict, as the editor's check sidebar gave it. */
export interface Verdict {
  team: string;
  lessonId: string;
  status: 'pass' | 'fail' | 'invalid';
  message: string;
  /** The editor account that ran the check. */
  by: string | undefined;
  /** The tab checked. */
  tab: string | undefined;
  at: number;
}

/** A kit session's end that carried this club session's tag (the usage record the agent published). */
export interface KitUseRecord {
  eventId: string;
  kit: string;
  teamId: string | undefined;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  faults: number;
  endReason: string;
}

/** A kit lost during the session (fault or unplugged), from the agent's kit states. */
export interface KitFault {
  kit: string;
  state: string;
  reason: string | undefined;
  at: number;
}

export interface ClubSession {
  id: string;
  lessonId: string;
  classId: string;
  teams: Team[];
  state: 'running' | 'ended';
  startedBy: string;
  startedAt: number;
  endedBy: string | undefined;
  endedAt: number | undefined;
  /** The lesson deploys: each team's tab (tab id → team id). */
  deploys: Array<{ at: number; by: string; rev: string; tabs: Record<string, string> }>;
  verdicts: Verdict[];
  usage: KitUseRecord[];
  faults: KitFault[];
}

/**
 * Club sessions on the gateway's disk, a JSON file each in {dataDir}/club/ (rewritten whole
 * through a rename, so a power cut leaves the old or the new one): a session survives an agent
 * restart and its summary can be printed any time after.
 */
export class ClubStore {
  constructor(readonly dir: string) {}

  save(session: ClubSession): void {
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, `${session.id}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(session));
    renameSync(`${file}.tmp`, file);
  }

  get(id: string): ClubSession | undefined {
    // Ids come from requests: only ours name a file.
    if (!/^[\w-]{1,80}$/.test(id)) return undefined;
    const file = join(this.dir, `${id}.json`);
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ClubSession;
    } catch {
      return undefined;
    }
  }

  /** Every session on disk, newest first. */
  list(): ClubSession[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => this.get(name.slice(0, -5)))
      .filter((s): s is ClubSession => s !== undefined)
      .sort((a, b) => b.startedAt - a.startedAt);
  }
}
