/**
 * The disk's floor under a committed PUBACK: what one durable write costs on the filesystem the
 * central's data directory is on, with nothing else of ours in the way. A PUBACK sent only after
 * the commit is on disk cannot come back faster than this, so it is the honest lower bound for
 * the central's QoS 1 round trip at low load. Two figures, each over `samples` sequential writes:
 *
 * - a small append + fdatasync: the least a durable write can cost here;
 * - a one-row SQLite commit as the ledger makes it (WAL, synchronous = FULL, BEGIN IMMEDIATE ...
 *   COMMIT: sqlite-driver.ts), which adds SQLite's own pages and its WAL checkpoints. The SQLite
 *   of better-sqlite3 syncs the WAL with fsync(), not fdatasync() (built without HAVE_FDATASYNC;
 *   seen with strace), so each commit also flushes the WAL's inode (its mtime), which on ext4 is a
 *   journal commit more than fdatasync's.
 *
 * Synchronous on the calling thread: the bench runs it while the brokers are idle.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** About the size of a usage event in the ledger. */
const ROW_BYTES = 400;

export interface DiskFloor {
  /** ms per append of ROW_BYTES + fdatasync. */
  fdatasync: number[];
  /** ms per one-row SQLite commit (WAL, synchronous = FULL). */
  sqliteCommit: number[];
}

/** Measures in a fresh directory under `parent` (the central's data dir's parent), removed afterwards. */
export function measureDiskFloor(parent: string, samples: number): DiskFloor {
  const dir = mkdtempSync(join(parent, 'disk-floor-'));
  try {
    return { fdatasync: appendAndSync(join(dir, 'append.bin'), samples), sqliteCommit: sqliteCommits(join(dir, 'commit.sqlite'), samples) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function appendAndSync(file: string, samples: number): number[] {
  const fd = openSync(file, 'a');
  const row = Buffer.alloc(ROW_BYTES, 0x61);
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      writeSync(fd, row);
      fdatasyncSync(fd);
      times.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
  }
  return times;
}

function sqliteCommits(file: string, samples: number): number[] {
  const db = new Database(file);
  const times: number[] = [];
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE, payload TEXT)');
    const begin = db.prepare('BEGIN IMMEDIATE');
    const insert = db.prepare('INSERT INTO events (event_id, payload) VALUES (?, ?)');
    const commit = db.prepare('COMMIT');
    const payload = 'a'.repeat(ROW_BYTES);
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      begin.run();
      insert.run(`event-${i}`, payload);
      commit.run();
      times.push(performance.now() - t0);
    }
  } finally {
    db.close();
  }
  return times;
}
