import { randomBytes } from 'node:crypto';
import { createUser, getUnit, getUser, openCentralState, updateUnit, updateUser, type LedgerChoice } from '@stemlab/broker';

export interface DemoLogin {
  username: string;
  password: string;
}

/**
 * The demo's side of the registry and its dashboard accounts: the demo's gateways registered
 * under their unit (as a technician would), and a department admin and the robot club's teacher
 * with fresh random passwords on every run (printed once; never a fixed default that could leak
 * into a real deployment). An account left by an earlier run in the same data dir gets the new
 * password.
 */
export async function demoAccounts(centralDir: string, unit: string, gateways: readonly string[], ledger?: LedgerChoice): Promise<{ admin: DemoLogin; teacher: DemoLogin }> {
  const db = await openCentralState(ledger, centralDir);
  try {
    const registered = (await getUnit(db, unit))?.gateways ?? [];
    const missing = gateways.filter((g) => !registered.includes(g));
    if (missing.length > 0) await updateUnit(db, unit, { gateways: [...registered, ...missing] }, 'stemlab demo');
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
