/**
 * Where an event stands on the gateway's clocks. A Pi has no RTC: it boots with a stale wall
 * clock (fake-hwclock's last save) and jumps when NTP syncs, possibly days. So every timed
 * payload carries the wall clock, whether it was synchronised, and the monotonic position
 * (boot id + uptime) that lets the ledger correct the wall clock afterwards.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { uptime } from 'node:os';
import type { Clock } from '@stemlab/protocol';

/** A moment as payloads carry it: the wall clock and the clock's state. */
export interface Stamp {
  at: number;
  clock: Clock;
}

/** Passed in (like the hardware), so that tests can age events and boot gateways at will. */
export interface ClockSource {
  now(): Stamp;
}

function readBootId(): string {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    if (id.length > 0 && id.length <= 64) return id;
  } catch {
    // Not Linux: fall through.
  }
  // Without a kernel boot id, a process is its own "boot": uptimes then compare only within it.
  return `proc-${randomUUID()}`;
}

/** Changes at every boot of the gateway (per process where the OS has no boot id). */
export const bootId: string = readBootId();

// os.uptime() counts from boot but only in 10 ms steps; performance.now() is monotonic and fine
// but counts from process start. Anchor once, then only performance.now() moves, so uptimeMs
// never goes backwards within a process and agrees with other processes of the same boot.
const uptimeAnchorMs = uptime() * 1000 - performance.now();

/** Milliseconds since the gateway booted; monotonic. */
export function uptimeMs(): number {
  return Math.max(0, Math.round(uptimeAnchorMs + performance.now()));
}

// systemd-timesyncd creates this file at its first successful sync of the boot.
const TIMESYNC_FLAG = '/run/systemd/timesync/synchronized';
const PROBE_EVERY_MS = 60_000;
const probe = { value: false, checkedAt: Number.NEGATIVE_INFINITY, running: false };

/**
 * Whether the wall clock is synchronised. The flag file is a cheap stat, so it is checked every
 * time; other NTP daemons (chrony) are asked through `timedatectl` at most once a minute, in the
 * background, because an event must never wait for a subprocess. Unknown counts as not synced:
 * claiming a wrong clock is right would corrupt the ledger; the reverse only loses precision.
 */
export function clockSynced(): boolean {
  if (process.platform !== 'linux') return false;
  if (existsSync(TIMESYNC_FLAG)) return true;
  const now = performance.now();
  if (!probe.running && now - probe.checkedAt >= PROBE_EVERY_MS) {
    probe.running = true;
    probe.checkedAt = now;
    const child = execFile('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], (err, stdout) => {
      clearTimeout(deadline);
      probe.running = false;
      probe.value = !err && stdout.trim() === 'yes';
    });
    const deadline = setTimeout(() => child.kill(), 2000);
    // A probe must not keep a stopping agent (or a test run) alive: no ref on the child, its
    // pipes or its deadline (execFile's own timeout option would hold one).
    deadline.unref();
    child.unref();
    for (const pipe of [child.stdout, child.stderr]) (pipe as unknown as Socket | null)?.unref();
  }
  return probe.value;
}

/** The gateway's real clocks. */
export const systemClock: ClockSource = {
  now: () => ({ at: Date.now(), clock: { synced: clockSynced(), bootId, uptimeMs: uptimeMs() } }),
};
