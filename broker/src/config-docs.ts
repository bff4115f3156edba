/**
 * The generated documents of central.yaml: its JSON Schema (for editors) and a reference of every
 * field, both from the zod schema in config.ts, the only place fields, defaults and descriptions
 * are written. broker/scripts/gen-config-docs.ts writes them to docs/ and, with --check, fails CI
 * when the committed copies drift (as the agent's do: edge-agent/src/config/json-schema.ts).
 *
 * The reference is rendered from the JSON Schema (the input side: fields with defaults are
 * optional), the stable shape, not zod's internals.
 */
import { z } from 'zod';
import type { JsonSchema } from '../../edge-agent/src/config/json-schema.ts';
import { centralConfigErrorCodes, centralConfigSchema, centralCrossFieldRules } from './config.ts';

export const centralConfigDocPaths = {
  schema: 'docs/central-config.schema.json',
  reference: 'docs/central-config.md',
} as const;

const GENERATED_BY = 'Generated from broker/src/config.ts by `npx tsx broker/scripts/gen-config-docs.ts`; do not edit by hand.';

export function centralConfigJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(centralConfigSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  return { $schema: schema.$schema, $comment: GENERATED_BY, title: 'Central config', description: 'central.yaml, the config of `stemlab central`.', ...schema };
}

/** Both files, paths relative to the repository root. */
export function generateCentralConfigDocs(): { path: string; content: string }[] {
  const schema = centralConfigJsonSchema();
  return [
    { path: centralConfigDocPaths.schema, content: `${JSON.stringify(schema, null, 2)}\n` },
    { path: centralConfigDocPaths.reference, content: renderCentralConfigReference(schema) },
  ];
}

export function renderCentralConfigReference(schema: JsonSchema = centralConfigJsonSchema()): string {
  const out = [
    '# Central config reference',
    '',
    `<!-- ${GENERATED_BY} -->`,
    '',
    'central.yaml (or .json), the config of `stemlab central --config FILE`. Every field is optional. Examples:',
    '[central.yaml](../broker/examples/central.yaml) (one node, every default) and',
    '[central-cluster.yaml](../broker/examples/central-cluster.yaml) (a node of a cluster over Redis). Editors that understand',
    'JSON Schema can check a config against [central-config.schema.json](central-config.schema.json): put',
    '`# yaml-language-server: $schema=PATH` on the first line.',
    '',
    'A config is checked when the central starts; on any problem it does not start and prints every problem as',
    '`field.path: what is wrong`. Certificate files, the broker state directory and the Redis are checked at start too,',
    'and named by their field the same way.',
  ];
  const sections: { path: string; schema: JsonSchema }[] = [];
  const collect = (path: string, s: JsonSchema) => {
    if (s.type !== 'object' || !s.properties) return;
    sections.push({ path, schema: s });
    for (const [key, field] of Object.entries(s.properties)) collect(path === '' ? key : `${path}.${key}`, field);
  };
  collect('', schema);
  for (const section of sections) {
    out.push('', `## \`${section.path === '' ? '(top level)' : section.path}\``, '');
    if (section.path !== '' && section.schema.description) out.push(oneLine(section.schema.description), '');
    out.push('| Field | Type | Default | Description |', '|---|---|---|---|');
    const required = new Set(section.schema.required ?? []);
    for (const [key, field] of Object.entries(section.schema.properties ?? {})) {
      const fallback =
        field.default === undefined ? (required.has(key) ? '**required**' : '—') : JSON.stringify(field.default) === '{}' ? "its fields' defaults" : `\`${JSON.stringify(field.default)}\``;
      out.push(`| \`${key}\` | ${cell(typeOf(field))} | ${fallback} | ${cell(field.description ?? '')} |`);
    }
  }
  out.push('', '## Checks across fields', '');
  for (const rule of centralCrossFieldRules) out.push(`- ${rule}`);
  out.push('', '## Errors', '', 'Loading a config fails with a `CentralConfigError` carrying one of these codes and a list of issues (`path`, `message`).', '');
  out.push('| Code | Means |', '|---|---|');
  for (const [code, meaning] of Object.entries(centralConfigErrorCodes)) out.push(`| \`${code}\` | ${cell(meaning)} |`);
  return `${out.join('\n')}\n`;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' or ');
  switch (s.type) {
    case 'integer':
    case 'number': {
      const lo = s.minimum;
      const hi = s.maximum !== undefined && Math.abs(s.maximum) < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
      return `${s.type}${lo !== undefined && hi !== undefined ? ` ${lo}–${hi}` : lo !== undefined ? ` ≥ ${lo}` : ''}`;
    }
    case 'string':
      return s.pattern ? `text matching \`${s.pattern}\`` : 'text';
    case 'boolean':
      return '`true` or `false`';
    case 'object':
      return 'object';
    default:
      return 'any';
  }
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');
const cell = (text: string) => oneLine(text).replace(/\|/g, '\\|');
