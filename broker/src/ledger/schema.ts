/**
 * The central's SQLite tables, created and migrated when the file opens. The version lives in
 * SQLite's `PRAGMA user_version`; each migration runs once, in one transaction with the version
 * bump, so a crash mid-migration leaves the previous version intact. Add a migration; never edit
 * one that has shipped.
 *
 * The file holds the usage ledger's tables and the central's own state (credentials, registry,
 * audit, accounts, sessions: synchronous code in the broker's hooks). When the usage ledger is on
 * PostgreSQL (pg-schema.ts holds its tables; test/ledger-schemas.test.ts fails when the two
 * differ in a table, column, type, primary key or index), the ledger tables of this file stay
 * empty.
 */
import type { Database } from 'better-sqlite3';

const migrations: readonly string[] = [
  // 1: the first version (issue 4).
  `
  CREATE TABLE usage_events (
    event_id     TEXT PRIMARY KEY,
    unit         TEXT NOT NULL,
    gateway      TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    type         TEXT NOT NULL,
    kit          TEXT,
    component    TEXT,
    device_type  TEXT,
    session_id   TEXT,
    payload      TEXT NOT NULL,          -- the validated event, JSON
    at           INTEGER NOT NULL,       -- the gateway's wall clock, maybe wrong
    corrected_at INTEGER,                -- see clock.ts; NULL when it cannot be corrected
    clock_synced INTEGER NOT NULL,
    boot_id      TEXT NOT NULL,
    uptime_ms    INTEGER NOT NULL,
    received_at  INTEGER NOT NULL
  );
  -- One event per seq and gateway: a second event id on a used seq is a gateway bug, dead-lettered.
  CREATE UNIQUE INDEX usage_events_seq ON usage_events (unit, gateway, seq);
  CREATE INDEX usage_events_boot ON usage_events (unit, gateway, boot_id) WHERE clock_synced = 0;
  CREATE INDEX usage_events_kit ON usage_events (unit, kit, corrected_at);

  CREATE TABLE gateways (
    unit            TEXT NOT NULL,
    gateway         TEXT NOT NULL,
    online          INTEGER NOT NULL DEFAULT 0,
    connected       INTEGER NOT NULL DEFAULT 0,
    client_id       TEXT,
    bd_seq          INTEGER,
    boot_id         TEXT,
    clock_offset_ms INTEGER,
    status_at       INTEGER,
    first_seen      INTEGER NOT NULL,
    last_seen       INTEGER NOT NULL,
    outbox_pending  INTEGER,
    outbox_evicted  INTEGER,
    agent_version   TEXT,
    PRIMARY KEY (unit, gateway)
  ) WITHOUT ROWID;

  -- Wall time = offset_ms + uptime, per boot of a gateway (clock.ts says how it is learned).
  CREATE TABLE gateway_boots (
    unit       TEXT NOT NULL,
    gateway    TEXT NOT NULL,
    boot_id    TEXT NOT NULL,
    offset_ms  INTEGER NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('synced', 'birth')),
    learned_at INTEGER NOT NULL,
    PRIMARY KEY (unit, gateway, boot_id)
  ) WITHOUT ROWID;

  CREATE TABLE kit_states (
    unit        TEXT NOT NULL,
    gateway     TEXT NOT NULL,
    kit         TEXT NOT NULL,
    state       TEXT NOT NULL,
    reason      TEXT,
    at          INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (unit, gateway, kit)
  ) WITHOUT ROWID;

  -- Only the latest reading per device: history is the usage events' business, not telemetry's.
  CREATE TABLE telemetry_latest (
    unit        TEXT NOT NULL,
    gateway     TEXT NOT NULL,
    kit         TEXT NOT NULL,
    component   TEXT NOT NULL,
    value       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (unit, gateway, kit, component)
  ) WITHOUT ROWID;

  CREATE TABLE seq_gaps (
    id          INTEGER PRIMARY KEY,
    unit        TEXT NOT NULL,
    gateway     TEXT NOT NULL,
    from_seq    INTEGER NOT NULL,
    to_seq      INTEGER NOT NULL,
    missing     INTEGER NOT NULL,
    evicted     INTEGER NOT NULL DEFAULT 0,
    detected_at INTEGER NOT NULL,
    closed_at   INTEGER
  );
  CREATE INDEX seq_gaps_gateway ON seq_gaps (unit, gateway, from_seq);

  -- Ranges a gateway reported dropping from its outbox (an outbox.evicted event).
  CREATE TABLE evictions (
    event_id    TEXT PRIMARY KEY,
    unit        TEXT NOT NULL,
    gateway     TEXT NOT NULL,
    from_seq    INTEGER NOT NULL,
    to_seq      INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
  );
  CREATE INDEX evictions_gateway ON evictions (unit, gateway, from_seq);

  CREATE TABLE dead_letters (
    id          INTEGER PRIMARY KEY,
    topic       TEXT NOT NULL,
    payload     TEXT NOT NULL,
    encoding    TEXT NOT NULL CHECK (encoding IN ('utf8', 'base64')),
    reason      TEXT NOT NULL,
    client_id   TEXT,
    received_at INTEGER NOT NULL
  );
  `,
  // 2: gateway credentials (security/credentials.ts). Only a slow hash of each secret is kept.
  `
  CREATE TABLE credentials (
    unit        TEXT NOT NULL,
    gateway     TEXT NOT NULL,
    username    TEXT NOT NULL UNIQUE,    -- gw:{unit}:{gateway}, also the gateway's MQTT client id
    secret_hash TEXT NOT NULL,           -- scrypt$N$r$p$salt$hash (base64url)
    created_at  INTEGER NOT NULL,
    rotated_at  INTEGER,
    revoked_at  INTEGER,
    PRIMARY KEY (unit, gateway)
  ) WITHOUT ROWID;
  `,
  // 3: the fleet registry and the audit trail of admin changes (registry/fleet.ts), and an index
  // for the quarterly report's scan of session ends by (corrected) time (reports/quarterly.ts).
  `
  CREATE TABLE registry (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    level      TEXT NOT NULL,
    district   TEXT NOT NULL,
    unit       TEXT NOT NULL,            -- the whole unit, JSON (registry/fleet.ts unitSchema)
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- Who changed what, when: before/after as JSON (NULL before an add, after a remove).
  CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before    TEXT,
    after     TEXT
  );
  CREATE INDEX audit_entity ON audit (entity, entity_id, id);

  CREATE INDEX usage_events_type_time ON usage_events (type, COALESCE(corrected_at, at));
  `,
  // 4: people's accounts and their sessions (api/users.ts). Only hashes of passwords and tokens.
  `
  CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'teacher', 'technician', 'admin')),
    unit          TEXT,                  -- teachers and technicians: their unit
    password_hash TEXT NOT NULL,         -- scrypt$N$r$p$salt$hash (base64url)
    created_at    INTEGER NOT NULL,
    disabled_at   INTEGER
  ) WITHOUT ROWID;

  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,         -- SHA-256 of the token (base64url)
    username   TEXT NOT NULL REFERENCES users (username),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sessions_user ON sessions (username);
  `,
  // 5: history, for the report's repair time and gateway uptime (history.ts). Kit states: one row
  // per change (a repeat of the current state is not a change), seeded with each kit's current
  // state so the first change after the upgrade is recognised as one. Presence: a gateway's
  // timeline as intervals, one open (to_at NULL) at a time; time not covered is unknown.
  `
  CREATE TABLE kit_state_history (
    id           INTEGER PRIMARY KEY,
    unit         TEXT NOT NULL,
    gateway      TEXT NOT NULL,
    kit          TEXT NOT NULL,
    state        TEXT NOT NULL,
    reason       TEXT,
    at           INTEGER NOT NULL,       -- the gateway's wall clock
    corrected_at INTEGER,                -- see clock.ts
    received_at  INTEGER NOT NULL
  );
  CREATE INDEX kit_state_history_kit ON kit_state_history (unit, gateway, kit, id);
  INSERT INTO kit_state_history (unit, gateway, kit, state, reason, at, received_at)
    SELECT unit, gateway, kit, state, reason, at, received_at FROM kit_states ORDER BY received_at;

  CREATE TABLE gateway_presence (
    id           INTEGER PRIMARY KEY,
    unit         TEXT NOT NULL,
    gateway      TEXT NOT NULL,
    online       INTEGER NOT NULL,
    from_at      INTEGER NOT NULL,
    to_at        INTEGER,                -- NULL: the current state
    confirmed_at INTEGER NOT NULL,       -- the last message from the gateway while it held
    central      TEXT NOT NULL,          -- the run of the central that recorded it
    source       TEXT NOT NULL           -- birth, will, connect, disconnect
  );
  CREATE UNIQUE INDEX gateway_presence_open ON gateway_presence (unit, gateway) WHERE to_at IS NULL;
  CREATE INDEX gateway_presence_time ON gateway_presence (unit, gateway, from_at);
  `,
  // 6: a session end's figures as columns (they were only in the JSON payload), so the quarterly
  // report sums columns instead of parsing every payload (measured 15x slower on PostgreSQL).
  `
  ALTER TABLE usage_events ADD COLUMN ended_at INTEGER;
  ALTER TABLE usage_events ADD COLUMN duration_ms INTEGER;
  ALTER TABLE usage_events ADD COLUMN faults INTEGER;
  UPDATE usage_events SET ended_at = json_extract(payload, '$.session.endedAt'), duration_ms = json_extract(payload, '$.session.durationMs'),
    faults = json_extract(payload, '$.session.faults') WHERE type = 'session.end';
  `,
  // 7: the time index carries every column the quarterly report reads (report-queries.ts), so its
  // scans of a quarter's events never visit the table: the rows are wide (the JSON payload) and
  // a lookup per event was most of the report's time. The same index, wider: no extra one to write.
  `
  DROP INDEX usage_events_type_time;
  CREATE INDEX usage_events_type_time ON usage_events (type, COALESCE(corrected_at, at), unit, gateway, kit, component, device_type,
    seq, corrected_at, at, ended_at, duration_ms, faults, event_id);
  `,
];

export const SCHEMA_VERSION = migrations.length;

/** Brings the database to SCHEMA_VERSION (or `target`, for tests of upgrades); refuses a database written by a newer version. */
export function migrate(db: Database, target = SCHEMA_VERSION): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`ledger schema version ${current} is newer than this central understands (${SCHEMA_VERSION}); upgrade stemlab`);
  }
  for (let version = current + 1; version <= target; version++) {
    const sql = migrations[version - 1] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
}
