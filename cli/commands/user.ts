import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { createUser, loadCentralConfig, openCredentialsDb, parseCentralConfig, roles } from '@stemlab/broker';
import type { Command } from '../main.ts';
import { parseCommand, UsageError } from '../args.ts';

const help = `Usage: stemlab user add --username NAME --role viewer|teacher|technician|admin [--unit UNIT]
                        [--config central.yaml | --data-dir DIR]

Creates a person's account for the central HTTP API: a department viewer, a unit's teacher or
technician (who see only their unit: --unit), or an admin. Prints a generated password once;
only its scrypt hash is stored. Recorded in the audit log.`;

const Options = z.object({
  username: z.string({ message: 'required: the login name, e.g. nguyen.an' }),
  role: z.enum(roles, { message: `expected one of ${roles.join(', ')}` }),
  unit: z.string().optional(),
  config: z.string().optional(),
  'data-dir': z.string().min(1).optional(),
});

export const userAdd: Command = {
  summary: 'create a person account for the central HTTP API (password printed once)',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const flags = { username: { type: 'string' }, role: { type: 'string' }, unit: { type: 'string' }, config: { type: 'string' }, 'data-dir': { type: 'string' } } as const;
    const { values } = parseCommand('user add', argv, flags, Options);
    const config = values.config ? await loadCentralConfig(values.config) : parseCentralConfig({});
    const db = openCredentialsDb(join(values['data-dir'] ?? config.dataDir, 'ledger.sqlite'));
    const password = randomBytes(12).toString('base64url');
    try {
      createUser(db, { username: values.username, password, role: values.role, ...(values.unit ? { unit: values.unit } : {}) }, `cli:${process.env.USER ?? 'admin'}`);
    } catch (err) {
      const issues = (err as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
      if (issues) throw new UsageError(`stemlab user add: ${issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
      throw new UsageError(`stemlab user add: ${(err as Error).message}`);
    } finally {
      db.close();
    }
    console.log(`created ${values.role} '${values.username}'${values.unit ? ` of ${values.unit}` : ''}; password (shown only now): ${password}`);
    return 0;
  },
};
