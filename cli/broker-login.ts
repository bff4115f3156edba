/**
 * How a CLI tool that sends commands over MQTT logs in to the central's broker as a person:
 * the username of their account (`stemlab user add`), and its password or a token of a live
 * session (POST /api/v1/login, or `stemlab user token`). From flags, else the environment
 * (STEMLAB_USERNAME, STEMLAB_PASSWORD, STEMLAB_TOKEN), so a password need not be in the shell's
 * history or in `ps`. A refusal becomes an error that names the fix.
 */
import { UsageError } from './args.ts';

export const brokerLoginFlags = {
  username: { type: 'string' },
  password: { type: 'string' },
  token: { type: 'string' },
} as const;

export const brokerLoginHelp = `  --username U   your account on the central (a teacher or technician of the gateways' unit);
                 or STEMLAB_USERNAME
  --password P   its password, or STEMLAB_PASSWORD
  --token T      instead of the password, a session token (POST /api/v1/login, or
                 stemlab user token on the central); or STEMLAB_TOKEN`;

export interface BrokerLogin {
  username: string;
  password: string;
}

/** The log-in from flags or environment; undefined when none is given (the broker may allow anonymous clients). */
export function brokerLogin(command: string, values: { username?: string; password?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): BrokerLogin | undefined {
  // An empty variable counts as unset (`STEMLAB_TOKEN= stemlab ...`).
  const fromEnv = (name: string) => env[name] || undefined;
  const username = values.username ?? fromEnv('STEMLAB_USERNAME');
  const secret = values.token ?? values.password ?? fromEnv('STEMLAB_TOKEN') ?? fromEnv('STEMLAB_PASSWORD');
  if (username === undefined && secret === undefined) return undefined;
  if (!username) throw new UsageError(`stemlab ${command}: a password or token needs --username (or STEMLAB_USERNAME): the account it belongs to`);
  if (!secret) throw new UsageError(`stemlab ${command}: --username ${username} needs --password or --token (or STEMLAB_PASSWORD / STEMLAB_TOKEN)`);
  return { username, password: secret };
}

/** A failed CONNECT as a message naming the fix (mqtt.js puts the CONNACK return code on the error's `code`). */
export function brokerRefusal(command: string, broker: string, login: BrokerLogin | undefined, err: unknown): UsageError {
  const code = (err as { code?: unknown }).code;
  const who = login ? `'${login.username}'` : 'an anonymous client';
  const fixes: Record<string, string> = {
    '4': `the broker at ${broker} refused the log-in of ${who}: wrong password or token (a token expires), or the account is disabled. Check --username and --password/--token (STEMLAB_USERNAME, STEMLAB_PASSWORD, STEMLAB_TOKEN); an admin can set a new password: stemlab user set --username ${login?.username ?? 'U'} --new-password. After 5 failures from this machine, wait 15 minutes.`,
    '5': login
      ? `the broker at ${broker} did not authorize ${who} (a will outside its rights?)`
      : `the broker at ${broker} needs a log-in (anonymous access is off): give --username and --password (or --token) of your teacher or technician account, or set STEMLAB_USERNAME and STEMLAB_PASSWORD. An admin creates one: stemlab user add --username U --role teacher --unit UNIT`,
    '3': `the broker at ${broker} is busy checking other log-ins: try again in a few seconds`,
    '2': `the broker at ${broker} refused this client id`,
    ECONNREFUSED: `nothing listens at ${broker}: check --broker (the central's MQTT address, e.g. mqtt://central.example:1883) and that the central runs`,
    ENOTFOUND: `cannot resolve the host of ${broker}: check --broker`,
  };
  const fix = typeof code === 'string' || typeof code === 'number' ? fixes[String(code)] : undefined;
  return new UsageError(`stemlab ${command}: ${fix ?? `cannot connect to ${broker}: ${(err as Error).message}`}`);
}
