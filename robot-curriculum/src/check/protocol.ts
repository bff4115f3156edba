/** What the parent and the check process say to each other (child_process IPC, JSON). */
import type { KitProfile } from '../kits.ts';
import type { CheckDefinition } from './kinds/index.ts';
import type { Verdict } from './kind.ts';
import type { Trace } from './trace.ts';

export interface CheckRequest {
  id: number;
  check: CheckDefinition;
  profile: KitProfile;
  flow: unknown;
  seed: number;
}

export type CheckReply =
  | { id: number; status: 'ready' }
  /** wallMs: the check's wall-clock time; cpuMs: the check process's CPU time for it (user + system), which a loaded machine does not inflate. */
  | { id: number; status: 'judged'; verdict: Verdict; trace: Trace; wallMs: number; cpuMs: number }
  | { id: number; status: 'refused'; code: string; message: string }
  | { id: number; status: 'error'; message: string };
