import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createUser, getUser, openCredentialsDb, updateUser } from '@stemlab/broker';

export interface DemoLogin {
  username: string;
  password: string;
}

/**
 * The demo's dashboard accounts: a department admin and the robot club's teacher, with fresh
 * random passwords on every run (printed once; never a fixed default that could leak into a
 * real deployment). An account left by an earlier run in the same data dir gets the new password.
 */
export function demoAccounts(centralDir: string, unit: string): { admin: DemoLogin; teacher: DemoLogin } {
  const db = openCredentialsDb(join(centralDir, 'ledger.sqlite'));
  try {
    const account = (username: string, role: 'admin' | 'teacher', unitId?: string): DemoLogin => {
      const password = randomBytes(9).toString('base64url');
      if (getUser(db, username)) updateUser(db, username, { password, disabled: false }, 'stemlab demo');
      else createUser(db, { username, password, role, ...(unitId ? { unit: unitId } : {}) }, 'stemlab demo');
      return { username, password };
    };
    return { admin: account('demo-admin', 'admin'), teacher: account('demo-teacher', 'teacher', unit) };
  } finally {
    db.close();
  }
}
