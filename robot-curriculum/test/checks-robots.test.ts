import { programme } from '../src/programme.ts';
import { checkSuite } from './check-suite.ts';

// The robot lessons in arenas (driving, squares, obstacles, the course, the maze, sumo, parking),
// judged from the simulated robot's path (@stemlab/simulators): where it went, what it bumped,
// which zones it entered, what its sensors read. The line followers, the costliest to run (a
// command for every line reading), have a file and so a check process of their own
// (checks-lines.test.ts): vitest runs the files side by side.

checkSuite(
  programme.filter((l) => l.arena !== undefined && l.check.kind !== 'line-lap'),
  { timeoutMs: 90_000 },
);
