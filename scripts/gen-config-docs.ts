/**
 * Writes the reference documents of the product's outside from the code: docs/agent-config.* (the
 * edge agent's), docs/central-config.* (the central's) and docs/arena.* (the simulator's arena
 * files), a JSON Schema and a Markdown page each, from their zod schemas; docs/mqtt.md and
 * docs/mqtt.asyncapi.json from the protocol's channels and payload schemas; docs/cli.md from each
 * command's own --help; and docs/report-figures.md from the quarterly report's definitions.
 *
 *   npm run docs         # regenerate the files
 *   npm run docs:check   # exit 1 if the committed files differ (CI)
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCentralConfigDocs } from '../broker/src/config-docs.ts';
import { generateReportFiguresDoc } from '../broker/src/reports/figures-doc.ts';
import { generateConfigDocs } from '../edge-agent/src/config/json-schema.ts';
import { generateArenaDocs } from '../simulators/src/robot/arena/docs.ts';
import { generateMqttDocs } from '../protocol/src/mqtt-docs.ts';

type Doc = { path: string; content: string };

/** docs/cli.md, from a process that loads the commands as bin/stemlab.js does (scripts/cli-docs.js). */
function generateCliDocs(): Doc[] {
  const script = fileURLToPath(new URL('./cli-docs.js', import.meta.url));
  return JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8', maxBuffer: 16 << 20 })) as Doc[];
}

const USAGE = 'usage: npx tsx scripts/gen-config-docs.ts [--check]';
const sources = [
  { schema: 'edge-agent/src/config/schema.ts', files: generateConfigDocs },
  { schema: 'broker/src/config.ts', files: generateCentralConfigDocs },
  { schema: 'simulators/src/robot/arena/schema.ts', files: generateArenaDocs },
  { schema: 'broker/src/reports/labels.ts', files: generateReportFiguresDoc },
  { schema: 'protocol/src/channels.ts', files: generateMqttDocs },
  { schema: "cli/ (each command's --help)", files: generateCliDocs },
];

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown.join(' ')}\n${USAGE}`);
    return 2;
  }
  const check = args.includes('--check');
  const root = fileURLToPath(new URL('../', import.meta.url));
  const stale: string[] = [];
  for (const { schema, files } of sources) {
    for (const { path, content } of files()) {
      const file = join(root, path);
      if ((await readFile(file, 'utf8').catch(() => undefined)) === content) continue;
      if (check) stale.push(`${path} (from ${schema})`);
      else {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, content);
        console.log(`wrote ${path}`);
      }
    }
  }
  if (stale.length > 0) {
    console.error(`out of date: ${stale.join(', ')}; run \`npm run docs\` and commit the result`);
    return 1;
  }
  if (check) console.log('docs are up to date');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
