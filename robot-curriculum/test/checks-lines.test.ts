import { programme } from '../src/programme.ts';
import { checkSuite } from './check-suite.ts';

// The line-following lessons (three states, P-control on the oval, the figure eight), judged
// from the robot's path over the line: a lap within the time, never lost for long. Apart from
// the other robot lessons so that their check process runs beside that one (see
// checks-robots.test.ts).

checkSuite(
  programme.filter((l) => l.check.kind === 'line-lap'),
  { timeoutMs: 90_000 },
);
