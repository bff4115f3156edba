import { findLesson } from '../src/programme.ts';
import { CheckRunner } from '../src/check/runner.ts';
const runner = new CheckRunner();
for (const arg of process.argv.slice(2)) {
  const [id, v] = arg.split(':');
  const l = findLesson(id!)!;
  const r = await runner.run(l.check, l.kit.profile, l[(v ?? 'solution') as 'solution'], 1);
  if (r.status === 'judged') { console.log(id, v, JSON.stringify(r.verdict.findings[0]?.en)); if (process.env.V) { console.log(JSON.stringify(r.trace.pins.slice(0, 10))); console.log(JSON.stringify(r.trace.commands.slice(0,10)));} }
  else console.log(r);
}
runner.close();
