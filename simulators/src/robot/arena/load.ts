import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { arenaSchema, type Arena } from './schema.ts';

export interface ArenaIssue {
  /** The field, as `walls.2.to` (empty for the whole file). */
  path: string;
  message: string;
}

/** A refused arena: every problem, each naming its field. */
export class ArenaError extends Error {
  constructor(
    readonly source: string,
    readonly issues: ArenaIssue[],
  ) {
    super(`arena ${source}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
    this.name = 'ArenaError';
  }
}

/** An arena as loaded: its id (the file's name) and its checked contents. */
export interface NamedArena extends Arena {
  id: string;
}

/** Check an arena's contents (parsed YAML or JSON); `source` names it in errors. */
export function parseArena(input: unknown, id: string, source = id): NamedArena {
  const parsed = arenaSchema.safeParse(input);
  if (!parsed.success) {
    throw new ArenaError(
      source,
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: hint(issue.message, issue.path) })),
    );
  }
  return { id, ...parsed.data };
}

/** Read an arena file (.yaml, .yml or .json). */
export function loadArenaFile(file: string): NamedArena {
  const ext = extname(file).toLowerCase();
  const id = basename(file, ext);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ArenaError(file, [{ path: '', message: `cannot read the file (${(err as Error).message})` }]);
  }
  let data: unknown;
  try {
    data = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ArenaError(file, [{ path: '', message: `not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}` }]);
  }
  return parseArena(data, id, file);
}

const shippedDir = fileURLToPath(new URL('../../../arenas/', import.meta.url));

/** The arenas that come with the simulator (simulators/arenas/), by id. */
export function shippedArenaIds(): string[] {
  return readdirSync(shippedDir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => basename(f, extname(f)))
    .sort();
}

const cache = new Map<string, NamedArena>();

/** A shipped arena by id ('empty-table', 'line-oval', ...). */
export function shippedArena(id: string): NamedArena {
  const cached = cache.get(id);
  if (cached) return cached;
  const file = readdirSync(shippedDir).find((f) => basename(f, extname(f)) === id && /\.(ya?ml|json)$/.test(f));
  if (!file) throw new ArenaError(id, [{ path: '', message: `no such arena; the shipped arenas are ${shippedArenaIds().join(', ')}` }]);
  const arena = loadArenaFile(`${shippedDir}${file}`);
  cache.set(id, arena);
  return arena;
}

function hint(message: string, path: PropertyKey[]): string {
  const last = path[path.length - 1];
  if (last === 'shape' && /union|discriminator|Invalid input/i.test(message)) return `${message} (one of the shapes listed in docs/arena.md)`;
  return message;
}
