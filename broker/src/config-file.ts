/**
 * What central.yaml and ingest.yaml share: reading a YAML or JSON file with errors that say the
 * line, and zod's issues turned into ones that name the field. Each config keeps its own error
 * class (its name is in the message); this file only finds the issues.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { fieldIssues } from '@stemlab/protocol';

export interface ConfigIssue {
  /** The field, e.g. `mqtt.port`; `line 3, column 7` for a syntax error; '' for the whole file. */
  path: string;
  message: string;
}

/** zod's issues, one per field; an unknown key is named whole (`mqtt.hots`). */
export function zodIssues(error: z.ZodError): ConfigIssue[] {
  return fieldIssues(error);
}

/** The file's parsed value, or the issues that kept it from being read (extension, missing file, syntax). */
export async function readConfigFile(file: string): Promise<{ value: unknown } | { issues: ConfigIssue[] }> {
  const ext = extname(file).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(ext)) return { issues: [{ path: '', message: `cannot tell the format from '${ext}'; name the file .yaml, .yml or .json` }] };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { issues: [{ path: '', message: code === 'ENOENT' ? 'no such file; check the path given to --config' : err instanceof Error ? err.message : String(err) }] };
  }
  if (ext === '.json') {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch (err) {
      return { issues: [{ path: '', message: `JSON syntax error: ${(err as Error).message}` }] };
    }
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      issues: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        return { path: at ? `line ${at.line}, column ${at.col}` : '', message: `YAML syntax error: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}` };
      }),
    };
  }
  try {
    return { value: doc.toJS() as unknown };
  } catch (err) {
    // yaml refuses aliases that expand past its limit (an "alias bomb": a few lines, gigabytes).
    return { issues: [{ path: '', message: `YAML aliases expand too much (${(err as Error).message}); write the values out instead of repeating aliases` }] };
  }
}
