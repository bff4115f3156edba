/**
 * docs/http.md lists every HTTP route of the central (fastify: `app.get('/path'`...) and of the
 * agent's local API (`route('POST', '/path'`...): a route added in the code and not in the docs
 * fails here, naming it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(repo, 'docs/http.md'), 'utf8');

/** Every .ts file under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(join(repo, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

function routes(dirs: string[], pattern: RegExp): string[] {
  const found = new Set<string>();
  for (const file of dirs.flatMap(sources)) {
    for (const m of readFileSync(file, 'utf8').matchAll(pattern)) found.add(`${m[1]!.toUpperCase()} ${m[2]}`);
  }
  return [...found].sort();
}

describe('docs/http.md', () => {
  it("lists every route of the central's HTTP API", () => {
    const central = routes(['broker/src'], /\bapp\.(get|post|put|patch|delete)\('([^']+)'/g);
    expect(central).toContain('GET /api/v1/usage'); // the scan finds the routes
    expect(central.filter((r) => !doc.includes(`\`${r}`))).toEqual([]);
  });

  it("lists every route of the agent's local API", () => {
    const agent = routes(['edge-agent/src', 'compose/src'].filter((d) => existsSync(join(repo, d))), /\broute\('(GET|POST)', '([^']+)'/g);
    expect(agent).toContain('POST /api/v1/estop');
    expect(agent.filter((r) => !doc.includes(`\`${r}`))).toEqual([]);
  });
});
