import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { login, openCentralState } from '@stemlab/broker';
import { runStemlab as run } from '../../testing/cli.ts';

// `stemlab user list` and `stemlab user set`: managing accounts from the central's own machine,
// the way back in when the only admin lost their password.

const dir = mkdtempSync(join(tmpdir(), 'stemlab-user-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function canLogIn(username: string, password: string): Promise<boolean> {
  const db = await openCentralState(undefined, dir);
  try {
    return (await login(db, username, password, 60_000)) !== undefined;
  } finally {
    await db.close();
  }
}

// Each test runs up to seven `stemlab` processes in turn (seconds of CPU each to load the broker
// through tsx): more than the default 30 s on a busy 2-core machine.
describe('stemlab user list / set', { timeout: 90_000 }, () => {
  it('sets a new password printed once, changes a role, disables; lists the accounts', async () => {
    expect((await run(['user', 'add', '--username', 'boss', '--role', 'admin', '--data-dir', dir])).code).toBe(0);
    const reset = await run(['user', 'set', '--username', 'boss', '--new-password', '--data-dir', dir]);
    expect(reset.code, reset.stderr).toBe(0);
    const password = /new password \(shown only now\): (\S+)/.exec(reset.stdout)?.[1];
    expect(password).toBeDefined();
    expect(await canLogIn('boss', password!)).toBe(true);

    expect((await run(['user', 'add', '--username', 'an', '--role', 'teacher', '--unit', 'thcs-q1-01', '--data-dir', dir])).code).toBe(0);
    // A unit of the shipped registry is known before the central ever ran.
    expect((await run(['user', 'set', '--username', 'an', '--unit', 'thcs-q3-01', '--data-dir', dir])).stdout).toContain('an: teacher of thcs-q3-01, enabled');
    const moved = await run(['user', 'set', '--username', 'an', '--role', 'viewer', '--disable', '--data-dir', dir]);
    expect(moved.stdout).toContain('an: viewer, disabled');
    const list = await run(['user', 'list', '--data-dir', dir]);
    expect(list.stdout).toMatch(/^an\tviewer\t-\tdisabled /m);
    expect(list.stdout).toMatch(/^boss\tadmin\t-\tenabled$/m);
  });

  it('names what is wrong, exit code 2: the last admin, an unknown unit, nothing to change', async () => {
    const last = await run(['user', 'set', '--username', 'boss', '--disable', '--data-dir', dir]);
    expect(last.code).toBe(2);
    expect(last.stderr).toMatch(/last enabled admin/);
    const unit = await run(['user', 'set', '--username', 'an', '--role', 'teacher', '--unit', 'nowhere', '--data-dir', dir]);
    expect(unit.code).toBe(2);
    expect(unit.stderr).toMatch(/--unit: no unit 'nowhere'/);
    const nothing = await run(['user', 'set', '--username', 'an', '--data-dir', dir]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/nothing to change/);
  });
});
