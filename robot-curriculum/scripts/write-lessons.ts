/**
 * Write the programme's files into @stemlab/flows (src/publish.ts): `npm run lessons`.
 * With --check, only compare and exit 1 naming the files that differ (CI: a lesson changed in
 * robot-curriculum and not written out).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { programme } from '../src/programme.ts';
import { fileText, publish } from '../src/publish.ts';
import { curriculumDoc } from '../src/curriculum-doc.ts';

const flowsDir = fileURLToPath(new URL('../../flows/', import.meta.url));
const check = process.argv.includes('--check');
const docFile = fileURLToPath(new URL('../../docs/curriculum.md', import.meta.url));
const doc = curriculumDoc(programme);
const docChanged = (() => {
  try {
    return readFileSync(docFile, 'utf8') !== doc;
  } catch {
    return true;
  }
})();
const files = publish(programme);
const wanted = new Set(files.map((f) => f.path));

function existing(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(flowsDir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk(dir);
  return out;
}

const stale = [...existing('lessons'), ...existing('examples')].filter((p) => !wanted.has(p));
const changed = files.filter((f) => {
  try {
    return readFileSync(join(flowsDir, f.path), 'utf8') !== fileText(f.content);
  } catch {
    return true;
  }
});
if (check) {
  const problems = [...changed.map((f) => `differs: flows/${f.path}`), ...stale.map((p) => `not in the programme: flows/${p}`), ...(docChanged ? ['differs: docs/curriculum.md'] : [])];
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\nRun \`npm run lessons\` to write the programme's files.`);
    process.exit(1);
  }
  console.log(`flows/ matches the programme (${programme.length} lessons).`);
} else {
  for (const p of stale) rmSync(join(flowsDir, p));
  for (const f of changed) {
    mkdirSync(dirname(join(flowsDir, f.path)), { recursive: true });
    writeFileSync(join(flowsDir, f.path), fileText(f.content));
  }
  if (docChanged) writeFileSync(docFile, doc);
  console.log(`wrote ${changed.length} files${docChanged ? ' and docs/curriculum.md' : ''}, removed ${stale.length} (${programme.length} lessons)`);
}
