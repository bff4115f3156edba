import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { fieldIssues } from '@stemlab/protocol';
import { createUser, getUnit, issueToken, listUsers, loadCentralConfig, openCentralState, parseCentralConfig, roles, seedRegistry, updateUser, UserError, userPatchSchema } from '@stemlab/broker';
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
    const db = await openDb(values);
    const password = randomBytes(12).toString('base64url');
    try {
      await createUser(db, { username: values.username, password, role: values.role, ...(values.unit ? { unit: values.unit } : {}) }, `cli:${process.env.USER ?? 'admin'}`);
    } catch (err) {
      if (err instanceof z.ZodError) throw new UsageError(`stemlab user add: ${fieldIssues(err).map((i) => `--${i.path}: ${i.message}`).join('; ')}`);
      throw new UsageError(`stemlab user add: ${(err as Error).message}`);
    } finally {
      await db.close();
    }
    console.log(`created ${values.role} '${values.username}'${values.unit ? ` of ${values.unit}` : ''}; password (shown only now): ${password}`);
    return 0;
  },
};

/**
 * The central's state of `--config` / `--data-dir` (the SQLite file, or the PostgreSQL schema of
 * the config's ledger; the central may be running), its registry seeded as the central seeds it
 * at its first start (once per database), so that a unit can be checked before the central ever ran.
 */
async function openDb(values: { config?: string; 'data-dir'?: string }) {
  const config = values.config ? await loadCentralConfig(values.config) : parseCentralConfig({});
  const db = await openCentralState(config.ledger, values['data-dir'] ?? config.dataDir);
  try {
    await seedRegistry(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

const where = { config: { type: 'string' }, 'data-dir': { type: 'string' } } as const;
const Where = z.object({ config: z.string().optional(), 'data-dir': z.string().min(1).optional() });

export const userList: Command = {
  summary: 'list the people accounts',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log('Usage: stemlab user list [--config central.yaml | --data-dir DIR]\n\nLists the accounts: username, role, unit, enabled or disabled (never a password).');
      return 0;
    }
    const { values } = parseCommand('user list', argv, where, Where);
    const db = await openDb(values);
    try {
      for (const u of await listUsers(db)) {
        console.log([u.username, u.role, u.unit ?? '-', u.disabledAt === null ? 'enabled' : `disabled ${new Date(u.disabledAt).toISOString()}`].join('\t'));
      }
    } finally {
      await db.close();
    }
    return 0;
  },
};

const setHelp = `Usage: stemlab user set --username NAME [--role ROLE] [--unit UNIT] [--disable | --enable]
                        [--new-password] [--config central.yaml | --data-dir DIR]

Changes a person's account: the role (viewer, teacher, technician, admin) and unit (teachers and
technicians), disables it (its sessions end at once) or enables it, or sets a new generated
password printed once (its sessions end). The way back in for an admin who lost their password.
Recorded in the audit log. The last enabled admin cannot be disabled or demoted.`;

const SetOptions = Where.extend({
  username: z.string({ message: 'required: the account to change' }),
  role: z.enum(roles, { message: `expected one of ${roles.join(', ')}` }).optional(),
  unit: z.string().optional(),
  disable: z.boolean().optional(),
  enable: z.boolean().optional(),
  'new-password': z.boolean().optional(),
}).refine((o) => !(o.disable && o.enable), { path: ['enable'], message: 'give --disable or --enable, not both' });

export const userSet: Command = {
  summary: "change a person's account",
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(setHelp);
      return 0;
    }
    const flags = {
      ...where,
      username: { type: 'string' },
      role: { type: 'string' },
      unit: { type: 'string' },
      disable: { type: 'boolean' },
      enable: { type: 'boolean' },
      'new-password': { type: 'boolean' },
    } as const;
    const { values } = parseCommand('user set', argv, flags, SetOptions);
    const password = values['new-password'] ? randomBytes(12).toString('base64url') : undefined;
    const patch = userPatchSchema.safeParse({
      ...(values.role ? { role: values.role } : {}),
      ...(values.unit ? { unit: values.unit } : {}),
      ...(values.disable ? { disabled: true } : values.enable ? { disabled: false } : {}),
      ...(password ? { password } : {}),
    });
    if (!patch.success) throw new UsageError(`stemlab user set: ${patch.error.issues[0]?.message ?? 'invalid'}; see stemlab user set --help`);
    const db = await openDb(values);
    let user;
    try {
      if (patch.data.unit && !(await getUnit(db, patch.data.unit))) throw new UsageError(`stemlab user set: --unit: no unit '${patch.data.unit}' in the registry`);
      user = await updateUser(db, values.username, patch.data, `cli:${process.env.USER ?? 'admin'}`);
    } catch (err) {
      if (err instanceof UserError) throw new UsageError(`stemlab user set: ${err.field ? `--${err.field}: ` : ''}${err.message}`);
      throw err;
    } finally {
      await db.close();
    }
    console.log(`${user.username}: ${user.role}${user.unit ? ` of ${user.unit}` : ''}, ${user.disabledAt === null ? 'enabled' : 'disabled'}`);
    if (password) console.log(`new password (shown only now): ${password}`);
    return 0;
  },
};

const tokenHelp = `Usage: stemlab user token --username NAME [--hours H] [--config central.yaml | --data-dir DIR]

Opens a session for an enabled account and prints its token once: what a script or a tool
(stemlab lesson deploy --token, or STEMLAB_TOKEN) gives the broker instead of the account's
password. It has the account's rights, ends after --hours (default 12, at most 720) or when the
account is disabled or gets a new password. Run on the central's machine (it writes the
central's database); recorded in the audit log. A person can also get one by logging in:
POST /api/v1/login.`;

const TokenOptions = Where.extend({
  username: z.string({ message: 'required: the account the token is for' }),
  hours: z.coerce.number({ message: 'expected a number of hours' }).min(0.1, 'at least 0.1').max(720, 'at most 720').default(12),
});

export const userToken: Command = {
  summary: 'a session token for an account (printed once)',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(tokenHelp);
      return 0;
    }
    const { values } = parseCommand('user token', argv, { ...where, username: { type: 'string' }, hours: { type: 'string' } } as const, TokenOptions);
    const db = await openDb(values);
    let issued;
    try {
      issued = await issueToken(db, values.username, values.hours * 3_600_000, `cli:${process.env.USER ?? 'admin'}`);
    } catch (err) {
      if (err instanceof UserError) throw new UsageError(`stemlab user token: --username: ${err.message}`);
      throw err;
    } finally {
      await db.close();
    }
    console.log(`token for ${issued.username} (${issued.role}${issued.unit ? ` of ${issued.unit}` : ''}), until ${new Date(issued.expiresAt).toISOString()} (shown only now):`);
    console.log(issued.token);
    return 0;
  },
};
