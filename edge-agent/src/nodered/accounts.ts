/**
 * The editor's classroom accounts: one teacher with every right, a technician (the console's
 * kit checks; reads the editor) and N students
 * (student-1..student-N) who edit and deploy their own flows. They are made per gateway at
 * set-up, never shipped as defaults: `setupEditorAccounts` draws random readable passwords,
 * returns them once (the command that calls it prints them for the teacher) and stores only
 * their bcrypt hashes, in {dataDir}/nodered/accounts.json (mode 0600).
 *
 * Node-RED reads the accounts through `accountLookup`, which rereads the file when it changes:
 * new passwords and removed students apply at once on a running gateway. Log-ins made before a
 * `replace` stay valid in a running agent until it restarts (Node-RED keeps its sessions in
 * memory); the replace deletes the saved sessions so that a restart ends them all.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NodeRedError } from './errors.ts';
import { permissions, studentName, TEACHER, TECHNICIAN } from './policy.ts';
import { loadBcrypt } from './red.ts';

export interface StoredAccount {
  username: string;
  /** bcrypt hash. */
  password: string;
  permissions: string | readonly string[];
}

interface AccountsFile {
  version: 1;
  createdAt: string;
  accounts: StoredAccount[];
}

/** What set-up hands back, once: the plain passwords are nowhere else. */
export interface NewAccounts {
  file: string;
  teacher: { username: string; password: string };
  /** The technician (console: self-test, faults, e-stop reset; the editor read-only). */
  technician: { username: string; password: string };
  students: Array<{ username: string; password: string }>;
}

const BCRYPT_ROUNDS = 10;
const MAX_STUDENTS = 200;

/** Node-RED's user directory on this gateway: flows, credentials, accounts, sessions. */
export function editorDir(dataDir: string): string {
  return resolve(dataDir, 'nodered');
}

export function accountsFile(dataDir: string): string {
  return join(editorDir(dataDir), 'accounts.json');
}

/**
 * Create the teacher and `count` student accounts. Refuses (ACCOUNTS_EXIST) when they exist,
 * unless `replace`: then every password changes and the saved log-in sessions are deleted.
 */
export async function setupEditorAccounts(dataDir: string, count: number, options: { replace?: boolean } = {}): Promise<NewAccounts> {
  if (!Number.isInteger(count) || count < 0 || count > MAX_STUDENTS) {
    throw new RangeError(`the number of student accounts must be a whole number from 0 to ${MAX_STUDENTS}, not ${count}`);
  }
  const dir = editorDir(dataDir);
  const file = accountsFile(dataDir);
  if (exists(file) && !options.replace) {
    throw new NodeRedError('ACCOUNTS_EXIST', `editor accounts exist already in ${file}; replacing them changes every password (\`stemlab agent accounts --replace\`)`);
  }
  const bcrypt = loadBcrypt();
  const teacher = { username: TEACHER, password: readablePassword(6) };
  const technician = { username: TECHNICIAN, password: readablePassword(6) };
  const students = Array.from({ length: count }, (_, i) => ({ username: studentName(i + 1), password: readablePassword(4) }));
  const accounts: StoredAccount[] = [];
  for (const [account, rights] of [[teacher, permissions.teacher] as const, [technician, permissions.technician] as const, ...students.map((s) => [s, permissions.student] as const)]) {
    accounts.push({ username: account.username, password: await bcrypt.hash(account.password, BCRYPT_ROUNDS), permissions: rights });
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const content: AccountsFile = { version: 1, createdAt: new Date().toISOString(), accounts };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  // Log-ins made with the old passwords end when Node-RED next starts.
  rmSync(join(dir, '.sessions.json'), { force: true });
  return { file, teacher, technician, students };
}

/** The stored accounts; ACCOUNTS_MISSING or ACCOUNTS_INVALID say what to do. */
export function readEditorAccounts(dataDir: string): StoredAccount[] {
  return readAccounts(accountsFile(dataDir));
}

/**
 * Node-RED's `adminAuth.users`: finds an account by name, rereading the file when it changed.
 * Resolves null for an unknown name (or a file gone bad: nobody logs in rather than anybody).
 */
export function accountLookup(file: string, onError: (err: Error) => void): (username: string) => Promise<StoredAccount | null> {
  let seen = '';
  let byName = new Map<string, StoredAccount>();
  return (username) => {
    try {
      const stat = statSync(file);
      const stamp = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
      if (stamp !== seen) {
        byName = new Map(readAccounts(file).map((a) => [a.username, a]));
        seen = stamp;
      }
    } catch (err) {
      onError(err as Error);
      byName = new Map();
      seen = '';
    }
    const account = byName.get(username);
    return Promise.resolve(account ? { ...account } : null);
  };
}

function readAccounts(file: string): StoredAccount[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NodeRedError('ACCOUNTS_MISSING', `no editor accounts in ${file}; run \`stemlab agent accounts\` to create the teacher and student accounts`);
    }
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<AccountsFile>;
    const valid =
      parsed.version === 1 &&
      Array.isArray(parsed.accounts) &&
      parsed.accounts.every((a) => typeof a?.username === 'string' && typeof a.password === 'string' && /^\$2[aby]\$/.test(a.password) && a.permissions !== undefined);
    if (!valid) throw new Error('unexpected content');
    return parsed.accounts as StoredAccount[];
  } catch (err) {
    throw new NodeRedError('ACCOUNTS_INVALID', `the editor accounts file ${file} is damaged (${(err as Error).message}); create the accounts again with \`stemlab agent accounts --replace\``);
  }
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

// Lowercase letters without l (read as 1 or I), and digits 2–9 (no 0 and 1 to mistake for
// o, l or I): what a student copies from the board types right the first time.
const CONSONANTS = 'bdghkmnprstv';
const VOWELS = 'aeiou';
const DIGITS = '23456789';

/**
 * A password a twelve-year-old can read and type: syllable pairs and two digits, e.g.
 * "kade-mupa-47". A student's four syllables are ~29.6 bits, the teacher's six ~41 bits.
 * The editor's log-in lets one address try an account 5 times and all accounts 20 times per
 * 10 minutes (login-limit.ts), so guessing a student's password from one computer takes ~1,500
 * years on average; failing locks only the failing computer out, never the account for the room.
 */
export function readablePassword(syllables: number): string {
  const pick = (alphabet: string) => alphabet[randomInt(alphabet.length)]!;
  const parts: string[] = [];
  for (let i = 0; i < syllables; i += 2) {
    let part = '';
    for (let j = i; j < Math.min(i + 2, syllables); j++) part += pick(CONSONANTS) + pick(VOWELS);
    parts.push(part);
  }
  parts.push(pick(DIGITS) + pick(DIGITS));
  return parts.join('-');
}
