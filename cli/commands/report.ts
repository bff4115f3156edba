import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { listUnits, loadCentralConfig, openLedger, parseCentralConfig, quarterlyReport, reportToCsv, reportToJson, reportToXlsx, type Ledger } from '@stemlab/broker';
import type { Command } from '../main.ts';
import { parseCommand, UsageError } from '../args.ts';

const help = `Usage: stemlab report --quarter 2025Q3 --format csv|json|xlsx [--lang vi|en] [--out FILE]
                      [--config central.yaml | --data-dir DIR]

The quarterly usage report for the department (due 25/3, 25/6, 25/9, 25/12 at 17:00): for each
unit and kind of equipment, hours used, sessions, share of school time in use, idle equipment,
faults and repair time; per gateway, how complete the data is and its uptime. Read from the
ledger the central config names (\`ledger\`: SQLite in DATA_DIR/ledger.sqlite by default, or
PostgreSQL), with the registry of units from DATA_DIR/ledger.sqlite. Prints to standard output
without --out (xlsx, being binary, only when standard output is a file or a pipe). Headers in
Vietnamese (--lang vi, the default) or English.`;

const Options = z.object({
  quarter: z.string({ message: 'required: the quarter, e.g. 2025Q3' }).regex(/^\d{4}Q[1-4]$/, 'expected a quarter such as 2025Q3'),
  format: z.enum(['csv', 'json', 'xlsx'], { message: 'expected csv, json or xlsx' }).default('csv'),
  lang: z.enum(['vi', 'en'], { message: 'expected vi or en' }).default('vi'),
  out: z.string().min(1).optional(),
  config: z.string().optional(),
  'data-dir': z.string().min(1).optional(),
});

export const report: Command = {
  summary: 'the quarterly usage report',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const flags = { quarter: { type: 'string' }, format: { type: 'string' }, lang: { type: 'string' }, out: { type: 'string' }, config: { type: 'string' }, 'data-dir': { type: 'string' } } as const;
    const { values } = parseCommand('report', argv, flags, Options);
    if (values.format === 'xlsx' && !values.out && process.stdout.isTTY) {
      throw new UsageError('stemlab report: --format xlsx is a binary file; give --out FILE (or redirect standard output to a file)');
    }
    const config = values.config ? await loadCentralConfig(values.config) : parseCentralConfig({});
    const file = join(values['data-dir'] ?? config.dataDir, 'ledger.sqlite');
    const postgres = config.ledger?.kind === 'postgres';
    if (!postgres && !existsSync(file)) throw new UsageError(`stemlab report: no central state at ${file}; pass --data-dir or --config`);
    let ledger: Ledger;
    try {
      ledger = await openLedger(config.ledger?.kind === 'postgres' ? config.ledger : { kind: 'sqlite', file });
    } catch (err) {
      throw new UsageError(`stemlab report: cannot open the ledger (${(err as Error).message}); check the config's ledger section`);
    }
    // The registry is in the same database as the ledger (central-state/state.ts).
    let units;
    try {
      units = await listUnits(ledger.sql);
    } catch (err) {
      await ledger.close();
      throw err;
    }
    try {
      const result = await quarterlyReport(ledger, values.quarter, units.length > 0 ? { units } : {});
      const text = values.format === 'json' ? reportToJson(result) : values.format === 'xlsx' ? await reportToXlsx(result, values.lang) : reportToCsv(result, values.lang);
      if (values.out) {
        writeFileSync(values.out, text);
        console.error(`report ${values.quarter} written to ${values.out}`);
      } else {
        process.stdout.write(text);
      }
    } finally {
      await ledger.close();
    }
    return 0;
  },
};
