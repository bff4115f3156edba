import { programme } from '../src/programme.ts';
import { checkSuite } from './check-suite.ts';

// The robot lessons, judged from the simulated robot's path in its arena (@stemlab/simulators):
// where it went, what it bumped, which zones it entered, what its sensors read.

checkSuite(
  programme.filter((l) => l.arena !== undefined),
  { timeoutMs: 90_000 },
);
