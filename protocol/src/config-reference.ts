/**
 * A config's reference page, rendered from the JSON Schema that z.toJSONSchema makes of its zod
 * schema (the input side: what a person may write; fields with defaults are optional). The stable,
 * documented shape rather than zod's internals. Shared by the agent's config
 * (edge-agent/src/config/json-schema.ts) and the central's (broker/src/config-docs.ts);
 * scripts/gen-config-docs.ts (`npm run docs`) writes both to docs/.
 */

/** The part of JSON Schema that z.toJSONSchema produces for our configs. */
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

interface Section {
  path: string;
  schema: JsonSchema;
}

// zod writes an unbounded integer's maximum as Number.MAX_SAFE_INTEGER; that is no limit to a reader.
const unbounded = (n: number | undefined) => n === undefined || Math.abs(n) >= Number.MAX_SAFE_INTEGER;

const isObject = (s: JsonSchema) => s.type === 'object' && s.properties !== undefined;
const variantsOf = (s: JsonSchema) => s.oneOf ?? s.anyOf ?? [];
/**
 * A variant of a discriminated union is named by its discriminator: `type` (the agent's
 * components), `kind` (the central's ledger) or `shape` (an arena's obstacles, lines and zones).
 */
const discriminators = ['type', 'kind', 'shape'] as const;
const discriminator = (s: JsonSchema) => discriminators.find((key) => s.properties?.[key]?.const !== undefined);
const variantName = (s: JsonSchema) => {
  const key = discriminator(s);
  return String((key ? s.properties?.[key]?.const : undefined) ?? s.title ?? '?');
};

export interface ReferenceOptions {
  /** The page's first lines after its title: what the file is, examples, how errors are shown. */
  intro: readonly string[];
  /** Rules no single field's type can say. */
  crossFieldRules: readonly string[];
  /** The error class loading throws, and its codes with their meaning. */
  errorClass: string;
  errorCodes: Readonly<Record<string, string>>;
  /** An example after a shared value type's shape, by its title (e.g. pin: ', e.g. `9` or `"A0"`'). */
  valueTypeExamples?: Readonly<Record<string, string>>;
}

/** The Markdown reference of a config: a table per object, value types, cross-field rules, error codes. */
export function renderConfigReference(schema: JsonSchema, options: ReferenceOptions): string {
  const sections: Section[] = [];
  const valueTypes = new Map<string, JsonSchema>();
  collect('', schema, sections);

  const out: string[] = [`# ${schema.title ?? 'Config'} reference`, '', `<!-- ${schema.$comment ?? ''} -->`, '', `${schema.description ?? ''}`, '', ...options.intro];

  for (const section of sections) {
    out.push('', `## \`${section.path === '' ? '(top level)' : section.path}\``, '');
    if (section.path !== '' && section.schema.description) out.push(oneLine(section.schema.description), '');
    out.push('| Field | Type | Default | Description |', '|---|---|---|---|');
    const required = new Set(section.schema.required ?? []);
    for (const [key, field] of Object.entries(section.schema.properties ?? {})) {
      out.push(`| \`${key}\` | ${typeText(field, valueTypes)} | ${defaultText(field, required.has(key))} | ${cell(field.description ?? '')} |`);
    }
  }

  if (valueTypes.size > 0) {
    out.push('', '## Value types', '', '| Type | Written as |', '|---|---|');
    for (const [title, s] of [...valueTypes].sort(([a], [b]) => a.localeCompare(b))) {
      out.push(`| ${title} | ${cell(structuralType({ ...s, title: undefined, description: undefined }, new Map()))}${options.valueTypeExamples?.[title] ?? ''} |`);
    }
  }

  out.push('', '## Checks across fields', '', "Beyond each field's own type, a config that breaks one of these rules is refused:", '');
  for (const rule of options.crossFieldRules) out.push(`- ${rule}`);

  out.push('', '## Errors', '', `Loading a config fails with a \`${options.errorClass}\` carrying one of these codes and a list of issues (\`path\`, \`message\`).`, '');
  out.push('| Code | Means |', '|---|---|');
  for (const [code, meaning] of Object.entries(options.errorCodes)) out.push(`| \`${code}\` | ${cell(meaning)} |`);

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
    const key = discriminator(variant);
    if (isObject(variant)) collect(key ? `${path.replace(/\[\]$/, '')}[${key}=${variantName(variant)}]` : path, variant, sections);
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
      if (s.items && variantsOf(s.items).length > 0 && variantsOf(s.items).every(isObject)) return `list of ${variantsOf(s.items).map(variantName).join(', ')}${count}`;
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
