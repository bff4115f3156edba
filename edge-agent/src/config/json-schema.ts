/**
 * The generated documents of the agent's config: its JSON Schema (for editors and other tools) and
 * a reference of every field (path, type, default, description). Both come from the zod schema in
 * schema.ts, the only place fields, defaults and descriptions are written;
 * edge-agent/scripts/gen-config-docs.ts writes them to docs/ and, with --check, fails CI when the
 * committed copies drift.
 *
 * The reference is rendered from the JSON Schema rather than from zod's internals: that is the
 * stable, documented shape, and it describes exactly what a user may write (the input side, so
 * fields with defaults are optional).
 */
import { z } from 'zod';
import { agentConfigSchema, crossFieldRules } from './schema.ts';
import { configErrorCodes } from './load.ts';

export const configDocPaths = {
  schema: 'docs/agent-config.schema.json',
  reference: 'docs/agent-config.md',
} as const;

const GENERATED_BY = 'Generated from edge-agent/src/config/schema.ts by `npx tsx edge-agent/scripts/gen-config-docs.ts`; do not edit by hand.';

/** The part of JSON Schema that z.toJSONSchema produces for this config. */
export interface JsonSchema {
  $schema?: string;
  $comment?: string;
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** The JSON Schema of the config file as people write it (defaults make fields optional). */
export function agentConfigJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(agentConfigSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  return { $schema: schema.$schema, $comment: GENERATED_BY, ...schema };
}

/** Both generated files, paths relative to the repository root. Pure: the script does the writing. */
export function generateConfigDocs(): { path: string; content: string }[] {
  const schema = agentConfigJsonSchema();
  return [
    { path: configDocPaths.schema, content: `${JSON.stringify(schema, null, 2)}\n` },
    { path: configDocPaths.reference, content: renderConfigReference(schema) },
  ];
}

// ---------------------------------------------------------------------------------------------
// The Markdown reference
// ---------------------------------------------------------------------------------------------

interface Section {
  path: string;
  schema: JsonSchema;
}

// zod writes an unbounded integer's maximum as Number.MAX_SAFE_INTEGER; that is no limit to a reader.
const unbounded = (n: number | undefined) => n === undefined || Math.abs(n) >= Number.MAX_SAFE_INTEGER;

const isObject = (s: JsonSchema) => s.type === 'object' && s.properties !== undefined;
const variantsOf = (s: JsonSchema) => s.oneOf ?? s.anyOf ?? [];
const variantName = (s: JsonSchema) => String(s.properties?.type?.const ?? s.title ?? '?');

export function renderConfigReference(schema: JsonSchema = agentConfigJsonSchema()): string {
  const sections: Section[] = [];
  const valueTypes = new Map<string, JsonSchema>();
  collect('', schema, sections);

  const out: string[] = [
    `# ${schema.title ?? 'Agent config'} reference`,
    '',
    `<!-- ${GENERATED_BY} -->`,
    '',
    `${schema.description ?? ''}`,
    '',
    'Examples: [robot-club.yaml](../edge-agent/examples/robot-club.yaml) (a robot club with 6 robot kits) and',
    '[lab.yaml](../edge-agent/examples/lab.yaml) (a lab with sensor kits). Editors that understand JSON Schema can check a',
    `config against [agent-config.schema.json](agent-config.schema.json): put \`# yaml-language-server: $schema=PATH\` on`,
    'the first line of a YAML file, or `"$schema": "PATH"` in a JSON one.',
    '',
    'A config is checked once, when the agent starts; on any problem the agent does not start and prints every',
    'problem as `field.path: what is wrong and how to fix it`.',
    '',
    '"required" means the field must be written; a field with a default may be left out. Pins are written as',
    'numbers (`9`) or as analog pins (`"A0"`); which pins exist and what each can do comes from the board table in',
    '`protocol/src/boards.ts`.',
  ];

  for (const section of sections) {
    out.push('', `## \`${section.path === '' ? '(top level)' : section.path}\``, '');
    if (section.path !== '' && section.schema.description) out.push(oneLine(section.schema.description), '');
    out.push('| Field | Type | Default | Description |', '|---|---|---|---|');
    const required = new Set(section.schema.required ?? []);
    for (const [key, field] of Object.entries(section.schema.properties ?? {})) {
      out.push(`| \`${key}\` | ${typeText(field, valueTypes)} | ${defaultText(field, required.has(key))} | ${cell(field.description ?? '')} |`);
    }
  }

  out.push('', '## Value types', '', '| Type | Written as |', '|---|---|');
  for (const [title, s] of [...valueTypes].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`| ${title} | ${cell(structuralType({ ...s, title: undefined, description: undefined }, new Map()))}${s.title === 'pin' ? ', e.g. `9` or `"A0"`' : ''} |`);
  }

  out.push('', '## Checks across fields', '', 'Beyond each field\'s own type, the agent refuses a config that breaks one of these rules:', '');
  for (const rule of crossFieldRules) out.push(`- ${rule}`);

  out.push('', '## Errors', '', 'Loading a config fails with a `ConfigError` carrying one of these codes and a list of issues (`path`, `message`).', '');
  out.push('| Code | Means |', '|---|---|');
  for (const [code, meaning] of Object.entries(configErrorCodes)) out.push(`| \`${code}\` | ${cell(meaning)} |`);

  return `${out.join('\n')}\n`;
}

/** Depth-first: every object gets a section, after its parent, in field order. */
function collect(path: string, schema: JsonSchema, sections: Section[]): void {
  if (isObject(schema)) {
    sections.push({ path, schema });
    for (const [key, field] of Object.entries(schema.properties ?? {})) collectField(path === '' ? key : `${path}.${key}`, field, sections);
  }
}

function collectField(path: string, field: JsonSchema, sections: Section[]): void {
  if (isObject(field)) return collect(path, field, sections);
  if (field.type === 'array' && field.items) return collectField(`${path}[]`, field.items, sections);
  for (const variant of variantsOf(field)) {
    if (isObject(variant)) collect(variant.properties?.type?.const !== undefined ? `${path.replace(/\[\]$/, '')}[type=${variantName(variant)}]` : path, variant, sections);
  }
}

function typeText(s: JsonSchema, valueTypes: Map<string, JsonSchema>): string {
  return cell(structuralType(s, valueTypes));
}

function structuralType(s: JsonSchema, valueTypes: Map<string, JsonSchema>): string {
  // A titled scalar is one of the shared value types (pin, slug...), explained once at the end.
  if (s.title && !isObject(s) && s.type !== 'array' && !(s.oneOf ?? s.anyOf)?.some(isObject)) {
    if (!valueTypes.has(s.title)) valueTypes.set(s.title, s);
    if (s.type !== undefined || s.anyOf) return s.title;
  }
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' or ');
  const variants = variantsOf(s);
  if (variants.length > 0) {
    return variants.every(isObject) ? `one of: ${variants.map(variantName).join(', ')}` : variants.map((v) => structuralType(v, valueTypes)).join(' or ');
  }
  switch (s.type) {
    case 'integer':
    case 'number': {
      const kind = s.type === 'integer' ? 'integer' : 'number';
      const lo = unbounded(s.minimum) ? undefined : s.minimum;
      const hi = unbounded(s.maximum) ? undefined : s.maximum;
      if (lo !== undefined && hi !== undefined) return `${kind} ${lo}–${hi}`;
      if (lo !== undefined) return `${kind} ≥ ${lo}`;
      if (hi !== undefined) return `${kind} ≤ ${hi}`;
      return kind;
    }
    case 'string':
      if (s.pattern) return `text matching \`${s.pattern}\``;
      return s.maxLength !== undefined ? `text (up to ${s.maxLength} characters)` : 'text';
    case 'boolean':
      return '`true` or `false`';
    case 'array': {
      if (s.prefixItems) return `[${s.prefixItems.map((item) => structuralType(item, valueTypes)).join(', ')}]`;
      const items = s.items ? structuralType(s.items, valueTypes) : 'anything';
      const count =
        s.minItems !== undefined && s.maxItems !== undefined ? ` (${s.minItems}–${s.maxItems})` : s.minItems !== undefined ? ` (at least ${s.minItems})` : '';
      if (s.items && isObject(s.items)) return `list of ${s.items.title ?? 'object'}s${count}`;
      if (s.items && variantsOf(s.items).every(isObject)) return `list of ${variantsOf(s.items).map(variantName).join(', ')}${count}`;
      return `list of ${items}${count}`;
    }
    case 'object':
      return 'object';
    default:
      return 'any';
  }
}

function defaultText(s: JsonSchema, required: boolean): string {
  if (s.default === undefined) return required ? '**required**' : '—';
  if (typeof s.default === 'object' && s.default !== null && !Array.isArray(s.default) && Object.keys(s.default).length === 0) {
    return 'its fields\' defaults';
  }
  return `\`${JSON.stringify(s.default)}\``;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');
const cell = (text: string) => oneLine(text).replace(/\|/g, '\\|');
