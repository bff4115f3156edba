/**
 * docs/mqtt.md and docs/mqtt.asyncapi.json, generated from the channels (channels.ts) and the
 * payload schemas (messages.ts, commands.ts): the topics, who publishes them, QoS and retain, and
 * every payload's fields. scripts/gen-config-docs.ts (`npm run docs`) writes them; CI checks them.
 */
import { z } from 'zod';
import { channelParameters, channels } from './channels.ts';
import { commandSchemas } from './commands.ts';
import type { JsonSchema } from './config-reference.ts';
import { ID_PATTERN } from './ids.ts';
import { gatewayCommands } from './messages.ts';
import { TOPIC_ROOT } from './topics.ts';

const GENERATED_BY = 'Generated from protocol/src/channels.ts and messages.ts by `npm run docs`; do not edit by hand.';

type Schema = JsonSchema & { format?: string; exclusiveMinimum?: number };

const jsonSchema = (schema: z.ZodType): Schema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Schema;
  return rest;
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const big = (n: number | undefined) => n === undefined || Math.abs(n) >= Number.MAX_SAFE_INTEGER;

/** A field's type in a few words: `integer ≥ 0`, `"online" \| "offline"`, `id`. */
function typeText(s: Schema): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' | ');
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return variants.map((v) => typeText(v)).join(' or ');
  if (s.type === 'string') {
    if (s.pattern === ID_PATTERN.source) return 'id';
    if (s.format) return `string (${s.format})`;
    const len = [s.minLength !== undefined ? `${s.minLength}` : '', s.maxLength !== undefined ? `${s.maxLength}` : ''];
    return len[0] || len[1] ? `string (${len[0] || '0'}–${len[1] || '…'} chars)` : 'string';
  }
  if (s.type === 'integer' || s.type === 'number') {
    const bounds: string[] = [];
    if (s.exclusiveMinimum !== undefined) bounds.push(`> ${s.exclusiveMinimum}`);
    if (s.minimum !== undefined && !big(s.minimum)) bounds.push(`≥ ${s.minimum}`);
    if (s.maximum !== undefined && !big(s.maximum)) bounds.push(`≤ ${s.maximum}`);
    return [s.type, ...bounds].join(' ');
  }
  if (s.type === 'array') return `list of ${s.items ? typeText(s.items) : 'anything'}`;
  if (s.type === 'object') return 'object';
  return s.type ?? 'any JSON value';
}

/** One row per field, depth first: `session.counts.motorMs | integer ≥ 0 | yes`. */
function fieldRows(s: Schema, path = ''): string[] {
  const rows: string[] = [];
  const required = new Set(s.required ?? []);
  for (const [key, field] of Object.entries(s.properties ?? {})) {
    const p = path === '' ? key : `${path}.${key}`;
    rows.push(`| \`${p}\` | ${cell(typeText(field))} | ${required.has(key) ? 'yes' : 'no'} |`);
    if (field.type === 'object' && field.properties) rows.push(...fieldRows(field, p));
    for (const variant of field.anyOf ?? []) if (variant.type === 'object' && variant.properties) rows.push(...fieldRows(variant, p));
  }
  return rows;
}

function fieldTable(s: Schema): string[] {
  const variants = s.oneOf ?? s.anyOf;
  if (variants && variants.every((v) => v.type === 'object')) {
    // the discriminator: the field whose constant differs from one variant to the next
    const consts = (key: string) => variants.map((v) => v.properties?.[key]?.const);
    const tag = Object.keys(variants[0]?.properties ?? {}).find((key) => new Set(consts(key)).size === variants.length && consts(key).every((c) => c !== undefined));
    return variants.flatMap((v) => [
      '',
      `When \`${tag}\` is \`${JSON.stringify(tag ? v.properties?.[tag]?.const : undefined)}\`:`,
      '',
      '| Field | Type | Required |',
      '|---|---|---|',
      ...fieldRows(v),
    ]);
  }
  if (s.type !== 'object') return ['', `A ${typeText(s)}.`];
  if (Object.keys(s.properties ?? {}).length === 0) return ['', 'No fields: `{}`.'];
  return ['', '| Field | Type | Required |', '|---|---|---|', ...fieldRows(s)];
}

const mayBeLeftOut = (schema: z.ZodType) => schema.safeParse(undefined).success;

function markdown(): string {
  const out = [
    '# MQTT: topics and payloads',
    '',
    `<!-- ${GENERATED_BY} -->`,
    '',
    `Every topic is under \`${TOPIC_ROOT}\`. Payloads are JSON, each defined once by a zod schema in`,
    '`protocol/src/messages.ts` that the gateway (which publishes) and the central (which ingests) both',
    'import; the same description for tools is [mqtt.asyncapi.json](mqtt.asyncapi.json) (AsyncAPI 3.0).',
    '',
    "- Ids (unit, gateway, kit, component) are lowercase letters, digits and '-', 1 to 64, not starting or",
    "  ending with '-' (`protocol/src/ids.ts`): they are topic segments, so never `/`, `+` or `#`.",
    '- A gateway connects with the client id `gw:{unit}:{gateway}`, publishes only under its own',
    '  `{unit}/{gateway}` and subscribes only to its own `cmd/+` (the broker refuses the rest).',
    '- Times are milliseconds since the epoch by the gateway\'s clock, with `clock` saying whether it was',
    '  synchronised and where it stood on the gateway\'s monotonic clock, so the ledger can correct it.',
    '- A message the central cannot take (unknown topic, not JSON, breaks the schema) is kept as a dead',
    '  letter with a reason naming the field, and acknowledged.',
    '',
    '| Topic | Published by | QoS | Retained | What |',
    '|---|---|---|---|---|',
    ...channels.map((c) => `| \`${c.address}\` | ${c.publisher} | ${c.qos} | ${c.retained ? 'yes' : 'no'} | ${cell(c.summary)} |`),
  ];
  for (const c of channels) {
    out.push('', `## \`${c.address}\``, '', c.summary, ...fieldTable(jsonSchema(c.payload)));
  }
  out.push('', '## Gateway commands', '', 'The `args` of a request on `cmd/{name}`, by name:');
  for (const [name, schema] of Object.entries(gatewayCommands)) {
    out.push('', `### \`${name}\``, ...(mayBeLeftOut(schema) ? ['', '`args` may be left out.'] : []), ...fieldTable(jsonSchema(schema)));
  }
  out.push('', '## Component commands', '', 'The `command` of the `component` gateway command, by component type:');
  for (const [type, schema] of Object.entries(commandSchemas)) out.push('', `### ${type}`, ...fieldTable(jsonSchema(schema)));
  return `${out.join('\n')}\n`;
}

/** AsyncAPI 3.0, from the gateway's side: what it sends and what it receives. */
function asyncapi(): unknown {
  const params = (address: string) =>
    Object.fromEntries([...address.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, { description: channelParameters[name!] ?? name }]));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'STEMLab Edge MQTT',
      version: TOPIC_ROOT.split('/')[1],
      description: `${GENERATED_BY} The topics a gateway publishes and the commands it takes; docs/mqtt.md says the same for people.`,
    },
    defaultContentType: 'application/json',
    channels: Object.fromEntries(
      channels.map((c) => [c.id, { address: c.address, parameters: params(c.address), messages: { [c.id]: { $ref: `#/components/messages/${c.id}` } } }]),
    ),
    operations: Object.fromEntries(
      channels.map((c) => [
        `${c.gateway}${c.id[0]!.toUpperCase()}${c.id.slice(1)}`,
        { action: c.gateway, channel: { $ref: `#/channels/${c.id}` }, summary: c.summary, bindings: { mqtt: { qos: c.qos, retain: c.retained, bindingVersion: '0.2.0' } } },
      ]),
    ),
    components: {
      messages: Object.fromEntries(channels.map((c) => [c.id, { name: c.id, summary: c.summary, payload: jsonSchema(c.payload) }])),
      schemas: {
        ...Object.fromEntries(Object.entries(gatewayCommands).map(([name, schema]) => [`command-${name}-args`, jsonSchema(schema)])),
        ...Object.fromEntries(Object.entries(commandSchemas).map(([type, schema]) => [`component-${type}-command`, jsonSchema(schema)])),
      },
    },
  };
}

export function generateMqttDocs(): { path: string; content: string }[] {
  return [
    { path: 'docs/mqtt.md', content: markdown() },
    { path: 'docs/mqtt.asyncapi.json', content: `${JSON.stringify(asyncapi(), null, 2)}\n` },
  ];
}
