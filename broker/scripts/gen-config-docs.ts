/**
 * Writes docs/central-config.schema.json and docs/central-config.md from the central's config schema.
 *
 *   npx tsx broker/scripts/gen-config-docs.ts           # regenerate the files
 *   npx tsx broker/scripts/gen-config-docs.ts --check   # exit 1 if the committed files differ (CI)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCentralConfigDocs } from '../src/config-docs.ts';

const USAGE = 'usage: npx tsx broker/scripts/gen-config-docs.ts [--check]';

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown.join(' ')}\n${USAGE}`);
    return 2;
  }
  const check = args.includes('--check');
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const stale: string[] = [];
  for (const { path, content } of generateCentralConfigDocs()) {
    const file = join(root, path);
    if ((await readFile(file, 'utf8').catch(() => undefined)) === content) continue;
    if (check) stale.push(path);
    else {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
      console.log(`wrote ${path}`);
    }
  }
  if (stale.length > 0) {
    console.error(`${stale.join(' and ')} ${stale.length === 1 ? 'is' : 'are'} out of date with broker/src/config.ts; run \`npx tsx broker/scripts/gen-config-docs.ts\` and commit the result`);
    return 1;
  }
  if (check) console.log('central config docs are up to date');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
