/**
 * The generated documents of central.yaml: its JSON Schema (for editors) and a reference of every
 * field, both from the zod schema in config.ts, the only place fields, defaults and descriptions
 * are written. scripts/gen-config-docs.ts (`npm run docs`) writes them to docs/ and, with --check, fails CI
 * when the committed copies drift (as the agent's do: edge-agent/src/config/json-schema.ts).
 * The Markdown is rendered by protocol/src/config-reference.ts, as the agent's is.
 */
import { z } from 'zod';
import { renderConfigReference, type JsonSchema } from '@stemlab/protocol';
import { centralConfigErrorCodes, centralConfigSchema, centralCrossFieldRules } from './config.ts';

export const centralConfigDocPaths = {
  schema: 'docs/central-config.schema.json',
  reference: 'docs/central-config.md',
} as const;

const GENERATED_BY = 'Generated from broker/src/config.ts by `npm run docs`; do not edit by hand.';

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
  return renderConfigReference(schema, {
    intro: [
      'central.yaml (or .json), the config of `stemlab central --config FILE`. Every field is optional. Examples:',
      '[central.yaml](../broker/examples/central.yaml) (one node, every default) and',
      '[central-cluster.yaml](../broker/examples/central-cluster.yaml) (a node of a cluster over Redis). Editors that understand',
      'JSON Schema can check a config against [central-config.schema.json](central-config.schema.json): put',
      '`# yaml-language-server: $schema=PATH` on the first line.',
      '',
      'A config is checked when the central starts; on any problem it does not start and prints every problem as',
      '`field.path: what is wrong`. Certificate files, the broker state directory and the Redis are checked at start too,',
      'and named by their field the same way.',
    ],
    crossFieldRules: centralCrossFieldRules,
    errorClass: 'CentralConfigError',
    errorCodes: centralConfigErrorCodes,
  });
}
