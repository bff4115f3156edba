import { z } from 'zod';
import type { Command } from '../main.ts';
import { parseCommand } from '../args.ts';
import { loadSuites } from '../../bench/suites.ts';
import type { BenchResult } from '../../bench/types.ts';

const help = `Usage: stemlab bench [--json] [--only SUITE[,SUITE]]

Runs the benchmarks and prints their figures. Compare runs by the ratios to the peer measured in
the same run (Mosquitto, the real firmware): these machines are shared and noisy.

  --json   print [{name, value, unit, peer?, peerValue?, ratio?}] only
  --only   run these suites only`;

const Options = z.object({
  json: z.boolean().default(false),
  only: z.string().optional(),
});

export const bench: Command = {
  summary: 'run the benchmarks',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseCommand('bench', argv, { json: { type: 'boolean' }, only: { type: 'string' } }, Options);
    const suites = await loadSuites();
    const wanted = values.only?.split(',').map((s) => s.trim());
    const unknown = wanted?.filter((name) => !suites.some((s) => s.name === name)) ?? [];
    if (unknown.length > 0) {
      console.error(`stemlab bench: --only: no suite named ${unknown.join(', ')}; suites: ${suites.map((s) => s.name).join(', ')}`);
      return 2;
    }
    const all: BenchResult[] = [];
    for (const suite of suites.filter((s) => !wanted || wanted.includes(s.name))) {
      if (!values.json) console.log(`\n## ${suite.title}`);
      const results = await suite.run();
      all.push(...results);
      if (!values.json) for (const r of results) console.log(format(r));
    }
    if (values.json) console.log(JSON.stringify(all, null, 2));
    return 0;
  },
};

function format(r: BenchResult): string {
  const peer = r.peer === undefined ? '' : `   (${r.peer}: ${r.peerValue} ${r.unit}, ratio ${r.ratio})`;
  return `  ${r.name}: ${r.value} ${r.unit}${peer}`;
}
