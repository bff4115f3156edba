import { z } from 'zod';
import { setupEditorAccounts } from '@stemlab/edge-agent';
import type { Command } from '../main.ts';
import { numberFlag, parseCommand, UsageError } from '../args.ts';
import { agentConfig } from '../config.ts';

const help = `Usage: stemlab agent accounts --config FILE [--students N] [--replace]

Creates the classroom's accounts for this gateway (the Node-RED editor and the room console at
/console/): a teacher (full rights), a technician (kit checks, e-stop reset) and
N students (config nodered.students by default) who edit and deploy only their own lesson flows.
Prints every password once; only bcrypt hashes are stored (in dataDir/nodered). There is never a
default password: until the accounts exist, the editor stays off. --replace makes new passwords
(the old ones stop working when the agent restarts).`;

const Options = z.object({
  config: z.string().optional(),
  students: numberFlag('a number of students').pipe(z.number().int().min(0).max(200)).optional(),
  replace: z.boolean().default(false),
});

export const agentAccounts: Command = {
  summary: "create the gateway's accounts for the editor and the console (teacher, technician, students)",
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseCommand('agent accounts', argv, { config: { type: 'string' }, students: { type: 'string' }, replace: { type: 'boolean' } }, Options);
    const config = await agentConfig(values.config, 'agent accounts');
    let accounts;
    try {
      accounts = await setupEditorAccounts(config.dataDir, values.students ?? config.nodered.students, { replace: values.replace });
    } catch (err) {
      if ((err as { code?: string }).code === 'ACCOUNTS_EXIST') throw new UsageError(`stemlab agent accounts: ${(err as Error).message}`);
      throw err;
    }
    console.log(`Node-RED accounts for ${config.unit}/${config.gateway} (${accounts.file}); shown only now:`);
    console.log(`  teacher     ${accounts.teacher.username.padEnd(12)} ${accounts.teacher.password}`);
    console.log(`  technician  ${accounts.technician.username.padEnd(12)} ${accounts.technician.password}`);
    for (const s of accounts.students) console.log(`  student     ${s.username.padEnd(12)} ${s.password}`);
    return 0;
  },
};
