/**
 * The generated documents of the agent's config: its JSON Schema (for editors and other tools) and
 * a reference of every field (path, type, default, description). Both come from the zod schema in
 * schema.ts, the only place fields, defaults and descriptions are written;
 * scripts/gen-config-docs.ts (`npm run docs`) writes them to docs/ and, with --check, fails CI when the
 * committed copies drift. The Markdown is rendered by protocol/src/config-reference.ts.
 */
import { z } from 'zod';
import { renderConfigReference as renderReference, type JsonSchema } from '@stemlab/protocol';
import { agentConfigSchema, crossFieldRules } from './schema.ts';
import { configErrorCodes } from './load.ts';

export type { JsonSchema };

export const configDocPaths = {
  schema: 'docs/agent-config.schema.json',
  reference: 'docs/agent-config.md',
} as const;

const GENERATED_BY = 'Generated from edge-agent/src/config/schema.ts by `npm run docs`; do not edit by hand.';

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

export function renderConfigReference(schema: JsonSchema = agentConfigJsonSchema()): string {
  return renderReference(schema, {
    intro: [
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
    ],
    crossFieldRules,
    errorClass: 'ConfigError',
    errorCodes: configErrorCodes,
    valueTypeExamples: { pin: ', e.g. `9` or `"A0"`' },
  });
}
