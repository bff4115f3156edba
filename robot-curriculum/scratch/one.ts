import { findLesson } from '../src/programme.ts';
import { CheckRunner } from '../src/check/runner.ts';
const runner = new CheckRunner();
const l = findLesson(process.argv[2]!)!;
const r = await runner.run(l.check, l.kit.profile, l[(process.argv[3] ?? 'solution') as 'solution'], Number(process.argv[4] ?? 1));
if (r.status === 'judged') { console.log(JSON.stringify(r.verdict)); console.log(JSON.stringify(r.trace.events.slice(0, 30))); console.log(JSON.stringify(r.trace.pins.slice(0, 30))); console.log(JSON.stringify(r.trace.log)); console.log(JSON.stringify(r.trace.commands.slice(0,10))); }
else console.log(r);
runner.close();
