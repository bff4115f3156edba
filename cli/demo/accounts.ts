import { randomBytes } from 'node:crypto';
import { createUser, getUser, openCentralState, updateUser, type LedgerChoice } from '@stemlab/broker';

export interface DemoLogin {
  username: string;
  password: string;
}

/**
 * The demo's dashboard accounts: a department admin and the robot club's teacher, with fresh
 * random passwords on every run (printed once; never a fixed default that could leak into a
 * real deployment). An account left by an earlier run in the same data dir gets the new password.
 */
export async function demoAccounts(centralDir: string, unit: string, ledger?: LedgerChoice): Promise<{ admin: DemoLogin; teacher: DemoLogin }> {
  const db = await openCentralState(ledger, centralDir);
  try {
    const account = async (username: string, role: 'admin' | 'teacher', unitId?: string): Promise<DemoLogin> => {
      const password = randomBytes(9).toString('base64url');
      if (await getUser(db, username)) await updateUser(db, username, { password, disabled: false }, 'stemlab demo');
      else await createUser(db, { username, password, role, ...(unitId ? { unit: unitId } : {}) }, 'stemlab demo');
      return { username, password };
    };
    return { admin: await account('demo-admin', 'admin'), teacher: await account('demo-teacher', 'teacher', unit) };
  } finally {
    await db.close();
  }
}
