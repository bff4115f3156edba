/**
 * Reading the agent's config: a YAML or JSON file (by extension) → the schema in schema.ts → one
 * deeply frozen object. The agent validates its config once, at start, and refuses to start on
 * any problem; everything after that can trust the config and cannot change it by accident.
 *
 * Every failure is a ConfigError with a stable code and a list of `{path, message}` issues, each
 * naming the field (or the line, for a syntax error) and what to do about it.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { fieldIssues, listIssues } from '@stemlab/protocol';
import { agentConfigSchema, type AgentConfig } from './schema.ts';

/** The codes a ConfigError can carry, each with what it means (rendered into docs/agent-config.md). */
export const configErrorCodes = {
  CONFIG_UNREADABLE:
    'The config file could not be read or parsed: it is missing, unreadable, has an extension other than .yaml, .yml or .json, or has a YAML/JSON syntax error.',
  CONFIG_INVALID: 'The config was read but breaks the schema or a rule across fields; each issue names the field and the fix.',
} as const;
export type ConfigErrorCode = keyof typeof configErrorCodes;

export interface ConfigIssue {
  /** The field, e.g. `kits[2].components[1].pin`; for a syntax error the place, e.g. `line 3, column 7`; '' for the whole file. */
  path: string;
  message: string;
}

export type ConfigFormat = 'yaml' | 'json';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  readonly issues: readonly ConfigIssue[];
  /** The file (as it was given) or other source the config came from, when known. */
  readonly source: string | undefined;

  constructor(code: ConfigErrorCode, issues: readonly ConfigIssue[], source?: string, options?: ErrorOptions) {
    super(formatMessage(code, issues, source), options);
    this.code = code;
    this.issues = issues;
    this.source = source;
  }
}

function formatMessage(code: ConfigErrorCode, issues: readonly ConfigIssue[], source: string | undefined): string {
  const name = source === undefined ? 'agent config' : `agent config ${source}`;
  const head =
    code === 'CONFIG_UNREADABLE'
      ? `cannot read ${name}:`
      : `${name} is invalid (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}; every field is described in docs/agent-config.md):`;
  return listIssues(head, issues);
}

/** Reads, validates and freezes the config in `file` (`.yaml`, `.yml` or `.json`). Throws ConfigError. */
export async function loadConfig(file: string): Promise<AgentConfig> {
  const format = formatOf(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError('CONFIG_UNREADABLE', [{ path: '', message: readFailure(err) }], file, { cause: err });
  }
  return parseConfigText(text, format, file);
}

/** The format a config file is read in, from its extension. Throws ConfigError for any other extension. */
export function formatOf(file: string): ConfigFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  throw new ConfigError('CONFIG_UNREADABLE', [{ path: '', message: `cannot tell the format from the extension '${ext}'; name the file .yaml, .yml or .json` }], file);
}

/** Parses config text in the given format, then validates it as parseConfig does. */
export function parseConfigText(text: string, format: ConfigFormat, source?: string): AgentConfig {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') {
    throw new ConfigError('CONFIG_UNREADABLE', [{ path: '', message: 'the file is empty; start from edge-agent/examples/robot-club.yaml or lab.yaml' }], source);
  }
  return parseConfig(format === 'yaml' ? parseYaml(body, source) : parseJson(body, source), source);
}

/** Validates an already-parsed value (e.g. a config built in code) and returns it deeply frozen. Throws ConfigError. */
export function parseConfig(value: unknown, source?: string): AgentConfig {
  const result = agentConfigSchema.safeParse(value, { error: explain });
  if (!result.success) throw new ConfigError('CONFIG_INVALID', toIssues(result.error), source);
  return deepFreeze(result.data);
}

function parseYaml(text: string, source: string | undefined): unknown {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error) => {
      const at = error.linePos?.[0];
      // yaml's message repeats the place and adds a code frame; the place goes in the path instead.
      const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
      return { path: at ? `line ${at.line}, column ${at.col}` : '', message: `YAML syntax error: ${message}` };
    });
    throw new ConfigError('CONFIG_UNREADABLE', issues, source);
  }
  try {
    return doc.toJS();
  } catch (err) {
    // yaml refuses aliases that expand past its limit (an "alias bomb": a few lines, gigabytes).
    throw new ConfigError('CONFIG_UNREADABLE', [{ path: '', message: `YAML aliases expand too much (${(err as Error).message}); write the values out instead of repeating aliases` }], source, { cause: err });
  }
}

function parseJson(text: string, source: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    const position = /at position (\d+)/.exec(raw);
    let path = '';
    if (position) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      path = `line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
    }
    const message = raw.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    throw new ConfigError('CONFIG_UNREADABLE', [{ path, message: `JSON syntax error: ${message}` }], source, { cause: err });
  }
}

function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file; check the path given to --config';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; make the file readable by the user the agent runs as';
    case 'EISDIR':
      return 'this is a directory; give the config file itself';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

function toIssues(error: z.ZodError): ConfigIssue[] {
  return fieldIssues(error, 'unknown field; check its spelling and place against docs/agent-config.md');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  return `${typeof value === 'number' ? 'the number' : typeof value} ${String(value)}`;
}

const kinds: Record<string, string> = { object: 'an object (a mapping of fields)', array: 'a list', string: 'a text', number: 'a number', int: 'a whole number', boolean: 'true or false' };

/** Plain-English messages for the generic problems; fields with their own wording set it in the schema. */
const explain: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = kinds[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `required: ${expected}` : `expected ${expected}, got ${describe(issue.input)}`;
    }
    case 'invalid_value':
      if (issue.input === undefined) return `required: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      return `${describe(issue.input)} is not allowed; use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} ${issue.minimum === 1 ? 'item' : 'items'}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `${String(issue.input)} is too small; use ${String(issue.minimum)} or more`;
    case 'too_big':
      if (issue.origin === 'array') return `has more than ${String(issue.maximum)} items; use at most ${String(issue.maximum)}`;
      if (issue.origin === 'string') return `is longer than ${String(issue.maximum)} characters`;
      return `${String(issue.input)} is too big; use at most ${String(issue.maximum)}`;
    default:
      return undefined;
  }
};

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
