import { programme } from '../src/programme.ts';
import { CheckRunner } from '../src/check/runner.ts';
const runner = new CheckRunner();
const only = process.argv[2];
for (const l of programme) {
  if (only && l.id !== only) continue;
  for (const v of ['solution', 'starter'] as const) {
    const s = performance.now();
    const r = await runner.run(l.check, l.kit.profile, l[v], 1);
    console.log(l.id, v, r.status, r.status === 'judged' ? `${r.verdict.pass} ${r.verdict.findings.map((f) => f.code + ': ' + f.en).join(' | ')}` : JSON.stringify(r).slice(0, 400), Math.round(performance.now() - s), 'ms');
  }
}
runner.close();
