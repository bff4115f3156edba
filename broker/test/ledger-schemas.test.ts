/**
 * The SQLite tables (ledger/schema.ts) and the PostgreSQL ones (ledger/pg-schema.ts) are two
 * texts of one design: both migrated to their latest version, they must have the same tables,
 * the same columns with compatible types and nullability, the same primary keys and the same
 * indexes. A column added on one side only fails here, not in a city's PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { assertAvailable, shouldRun } from '../../testing/requirements.ts';
import { POSTGRES_URL, postgres } from '../../testing/services.ts';
import { migratePostgres } from '../src/ledger/pg-schema.ts';
import { migrate } from '../src/ledger/schema.ts';

interface Column {
  type: 'integer' | 'text' | 'real' | 'blob';
  notNull: boolean;
}
interface Table {
  columns: Record<string, Column>;
  primaryKey: string[];
  /** UNIQUE constraints, each as its columns `a,b`. */
  unique: string[];
}
type Tables = Record<string, Table>;

/** Type families: SQLite's declared types and PostgreSQL's, as one name each. */
function family(declared: string): Column['type'] {
  const t = declared.toLowerCase();
  if (/int/.test(t)) return 'integer'; // INTEGER, BIGINT, SMALLINT (and identity columns)
  if (/char|text|clob|json/.test(t)) return 'text';
  if (/real|floa|doub|numeric/.test(t)) return 'real';
  if (/blob|bytea/.test(t)) return 'blob';
  throw new Error(`no type family for column type '${declared}'`);
}

function sqliteSchema(): { tables: Tables; indexes: string[] } {
  const db = new Database(':memory:');
  try {
    migrate(db);
    const tables: Tables = {};
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    for (const { name } of names) {
      const info = db.prepare(`PRAGMA table_info(${name})`).all() as { name: string; type: string; notnull: number; pk: number }[];
      tables[name] = {
        // a PRIMARY KEY column is NOT NULL on PostgreSQL whatever it declares; SQLite's INTEGER PRIMARY KEY is too
        columns: Object.fromEntries(info.map((c) => [c.name, { type: family(c.type), notNull: c.notnull === 1 || c.pk > 0 }])),
        primaryKey: info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
        unique: (db.prepare(`PRAGMA index_list(${name})`).all() as { name: string; origin: string }[])
          .filter((i) => i.origin === 'u')
          .map((i) => (db.prepare(`PRAGMA index_info(${i.name})`).all() as { name: string }[]).map((c) => c.name).join(','))
          .sort(),
      };
    }
    // CREATE INDEX ones, by name (the UNIQUE and PRIMARY KEY ones are compared above)
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name").all() as { name: string }[]).map((i) => i.name);
    return { tables, indexes };
  } finally {
    db.close();
  }
}

async function postgresSchema(): Promise<{ tables: Tables; indexes: string[] }> {
  const schema = `t_schemas_${randomBytes(6).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
  try {
    await migratePostgres(pool, schema);
    const columns = await pool.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      'SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position',
      [schema],
    );
    const keys = await pool.query<{ table_name: string; constraint_name: string; constraint_type: string; column_name: string }>(
      `SELECT k.table_name, c.constraint_name, c.constraint_type, k.column_name FROM information_schema.table_constraints c
       JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema
       WHERE c.table_schema = $1 AND c.constraint_type IN ('PRIMARY KEY', 'UNIQUE') ORDER BY k.table_name, c.constraint_name, k.ordinal_position`,
      [schema],
    );
    // CREATE INDEX ones, by name: not those behind a PRIMARY KEY or UNIQUE constraint
    const indexes = await pool.query<{ indexname: string }>(
      `SELECT i.indexname FROM pg_indexes i WHERE i.schemaname = $1
       AND NOT EXISTS (SELECT 1 FROM information_schema.table_constraints c WHERE c.table_schema = $1 AND c.constraint_name = i.indexname)
       ORDER BY i.indexname`,
      [schema],
    );
    const tables: Tables = {};
    for (const c of columns.rows) {
      if (c.table_name === 'stemlab_schema') continue; // PostgreSQL's migration version; SQLite keeps it in PRAGMA user_version
      const table = (tables[c.table_name] ??= { columns: {}, primaryKey: [], unique: [] });
      table.columns[c.column_name] = { type: family(c.data_type), notNull: c.is_nullable === 'NO' };
    }
    const unique = new Map<string, string[]>();
    for (const k of keys.rows) {
      if (k.constraint_type === 'PRIMARY KEY') tables[k.table_name]?.primaryKey.push(k.column_name);
      else unique.set(`${k.table_name}/${k.constraint_name}`, [...(unique.get(`${k.table_name}/${k.constraint_name}`) ?? []), k.column_name]);
    }
    for (const [key, cols] of unique) tables[key.split('/')[0]!]?.unique.push(cols.join(','));
    for (const table of Object.values(tables)) table.unique.sort();
    return { tables, indexes: indexes.rows.map((i) => i.indexname) };
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

const pgUp = await postgres();

describe.runIf(shouldRun('SQLite and PostgreSQL table definitions', pgUp))('the SQLite and PostgreSQL table definitions', () => {
  it('have the same tables, columns (type family, NOT NULL), primary keys, unique constraints and indexes', async () => {
    assertAvailable('PostgreSQL', pgUp);
    const lite = sqliteSchema();
    const post = await postgresSchema();
    expect(Object.keys(lite.tables).length).toBeGreaterThan(10); // the introspection found the tables
    expect(Object.keys(post.tables).sort()).toEqual(Object.keys(lite.tables).sort());
    for (const [name, table] of Object.entries(lite.tables)) {
      expect(post.tables[name], `table ${name}`).toEqual(table);
    }
    expect(post.indexes.sort()).toEqual(lite.indexes.sort());
  });
});

describe('type families', () => {
  it('pair the declared types of both databases', () => {
    expect(['INTEGER', 'bigint', 'integer', 'smallint'].map(family)).toEqual(['integer', 'integer', 'integer', 'integer']);
    expect(['TEXT', 'text', 'character varying'].map(family)).toEqual(['text', 'text', 'text']);
    expect(['REAL', 'double precision'].map(family)).toEqual(['real', 'real']);
    expect(['BLOB', 'bytea'].map(family)).toEqual(['blob', 'blob']);
    expect(() => family('timestamp with time zone')).toThrow(/no type family/);
  });
});
