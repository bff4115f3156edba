/**
 * The front door: `stemlab demo` (npm start) on a fresh data dir brings up the central with its
 * dashboard, the city's simulated fleet (its last 13 days replayed) and the school's two
 * simulated gateways, prints the log-ins it made in a "what to try next" block, and the
 * department's view shows the city's 54 robot units and 28 lab centres alive, idle or silent,
 * the club's unit online with usage arriving, the club's robots driving in their arenas (the live
 * view's data, with a student's printed log-in). The terminal stays quiet (no readings without
 * --verbose); it stops by itself with exit 0 and a summary: what ran, the events ingested, nothing
 * gone wrong. A second run on the same data dir goes on where the first stopped: nothing sent
 * twice (no dead letter, no gap).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { runStemlab, stemlabBin } from '../../testing/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'stemlab-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stemlab demo', () => {
  it('serves the dashboard with the printed log-in, shows the city alive, idle and silent and the club online with usage, stays quiet, stops by itself with a summary, and goes on from there the next run', async () => {
    const child = spawn(process.execPath, [stemlabBin, 'demo', '--duration', '25', '--fleet-days', '13', '--fleet-seed', '2050', '--data-dir', dir]);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      // Wait on the demo's own output, not on a count of sleeps: a loaded machine starts it slowly,
      // and only its exit (or the test's timeout) says it will never print the line.
      const waitFor = (pattern: RegExp): Promise<RegExpExecArray> =>
        new Promise((resolve, reject) => {
          const check = () => {
            const m = pattern.exec(stdout);
            if (!m) return;
            stop();
            resolve(m);
          };
          const gone = () => {
            stop();
            reject(new Error(`demo exited (${child.exitCode ?? child.signalCode}) without printing ${String(pattern)}; it printed:\n${stdout}`));
          };
          const stop = () => {
            child.stdout.off('data', check);
            child.stderr.off('data', check);
            child.off('exit', gone);
          };
          child.stdout.on('data', check);
          child.stderr.on('data', check);
          child.once('exit', gone);
          check();
          if (child.exitCode !== null || child.signalCode !== null) gone();
        });
      await waitFor(/city: caught up with now/);
      await waitFor(/What to try next \/ Thử tiếp:/);
      const [, url] = await waitFor(/dashboard: (http:\/\/\S+?)\/(\s|$)/);
      const [, username, password] = await waitFor(/log in as (demo-admin) \/ (\S+) \(department admin\)/);
      await waitFor(/npx stemlab report --quarter \d{4}Q[1-4] --format xlsx --data-dir \S+/);
      await waitFor(/curl -X POST http:\/\/\S+\/api\/v1\/estop/);
      // Anonymous access is off: an MQTT client without a log-in is refused (0x05); the teacher's
      // printed log-in deploys a lesson to the club's gateway over the broker, and gets its reply.
      const [, mqttUrl] = await waitFor(/central: MQTT broker (mqtt:\/\/\S+)[^\n]* \(anonymous access off\)/);
      const anonymous = await mqtt.connectAsync(mqttUrl!, { clientId: 'demo-test-anon', reconnectPeriod: 0 }).then(
        async (c) => (await c.endAsync(), 0),
        (err: unknown) => (err as { code?: number }).code,
      );
      expect(anonymous).toBe(5);
      const [, teacherPassword, deployArgs] = await waitFor(/STEMLAB_PASSWORD=(\S+) npx stemlab (lesson deploy .*?--username demo-teacher)/);
      const deployed = await runStemlab([...deployArgs!.split(' '), '--timeout', '40'], { STEMLAB_PASSWORD: teacherPassword });
      expect(deployed.stdout).toMatch(/thcs-q1-01\/robot-club-1: ok/);
      expect(deployed.code).toBe(0);

      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html lang="vi"/);
      const login = await fetch(`${url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      const auth = { authorization: `Bearer ${token}` };
      const units = (await (await fetch(`${url}/api/v1/units`, { headers: auth })).json()) as { units: Array<{ id: string; kind: string; status: string; online: boolean; gateways: Array<{ id: string; online: boolean }> }> };
      expect(units.units).toHaveLength(54 + 28 + 27);
      // The city: every robot club and lab centre heard from, three lost for days (silent), some
      // unused for over a week (idle), the others used this week; the smart classrooms have no gateway yet.
      const statuses = (kind: string) => units.units.filter((u) => u.kind === kind).map((u) => u.status);
      const city = [...statuses('robot-club'), ...statuses('lab-centre')];
      expect(city).toHaveLength(82);
      expect(city.filter((s) => s === 'never-installed')).toEqual([]);
      expect(city.filter((s) => s === 'silent')).toHaveLength(3);
      expect(city.filter((s) => s === 'idle').length).toBeGreaterThanOrEqual(3);
      expect(city.filter((s) => s === 'active' || s === 'in-use').length).toBeGreaterThan(60);
      expect(new Set(statuses('smart-classroom'))).toEqual(new Set(['never-installed']));
      // Both demo gateways are registered under the club's school and online.
      expect(units.units.find((u) => u.id === 'thcs-q1-01')?.gateways).toEqual([
        expect.objectContaining({ id: 'robot-club-1', online: true }),
        expect.objectContaining({ id: 'lab-1', online: true }),
      ]);
      // The simulated class produces usage that reaches the ledger while the demo runs.
      let events = 0;
      for (let i = 0; i < 100 && events === 0; i++) {
        const usage = (await (await fetch(`${url}/api/v1/usage?unit=thcs-q1-01`, { headers: auth })).json()) as { events: unknown[] };
        events = usage.events.length;
        if (events === 0) await new Promise((r) => setTimeout(r, 200));
      }
      expect(events).toBeGreaterThan(0);
      // The lab gateway serves its page, and group 1's experiment records the simulated water.
      const [, lab] = await waitFor(/lab page \(experiments, live charts, CSV\/XLSX\): (http:\/\/\S+)\/lab/);
      expect((await fetch(`${lab}/lab`)).status).toBe(200);
      // The lab's data needs a log-in: the agent's local token, as a CLI tool on the Pi has it.
      const labToken = readFileSync(join(dir, 'gateways', 'lab-1', 'agent-token'), 'utf8').trim();
      expect((await fetch(`${lab}/api/v1/lab`)).status).toBe(401);
      const state = (await (await fetch(`${lab}/api/v1/lab`, { headers: { authorization: `Bearer ${labToken}` } })).json()) as { experiments: Array<{ group: string; state: string; samples: number }> };
      expect(state.experiments[0]).toMatchObject({ group: 'Nhóm 1', state: 'running' });
      expect(state.experiments[0]!.samples).toBeGreaterThan(0);

      // The club's robots in their arenas, seen with a student's editor log-in: robot 1 drives its square.
      const [, viewUrl] = await waitFor(/the robots, live in their arenas: (http:\/\/\S+?)\/(\s|$)/);
      const [, student, studentPassword] = await waitFor(/or (student-1) \/ (\S+),/);
      const origin = new URL(viewUrl!).origin;
      const editorLogin = await fetch(`${origin}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'node-red-editor', grant_type: 'password', scope: '', username: student, password: studentPassword }),
      });
      const studentAuth = { authorization: `Bearer ${((await editorLogin.json()) as { access_token: string }).access_token}` };
      const robotOne = async () => {
        const scene = (await (await fetch(`${viewUrl}/api/scene`, { headers: studentAuth })).json()) as { robots: Array<{ id: string; arena: { id: string }; trail: Array<[number, number]> }> };
        return scene.robots;
      };
      const first = await robotOne();
      expect(first.map((r) => r.arena.id)).toEqual(['empty-table', 'line-oval', 'obstacle-course', 'maze', 'line-figure-eight', 'sumo-ring']);
      await expect.poll(async () => new Set((await robotOne())[0]!.trail.map(([x, y]) => `${Math.round(x)},${Math.round(y)}`)).size).toBeGreaterThan(5);
    } finally {
      if (child.exitCode === null) setTimeout(() => child.kill('SIGTERM'), 40_000).unref();
    }
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/stopped; the ledger stays in/);
    // Quiet: what happens, not the readings (those are --verbose).
    expect(stdout).not.toMatch(/\((thermometer|analog-sensor|proximity|line-sensors)\): /);
    expect(stdout).toMatch(/Summary \/ Tóm tắt/);
    expect(stdout).toMatch(/the city: 81 simulated gateways \(53 robot clubs, 28 lab centres\)/);
    expect(Number(/usage events ingested in this run[^:]*: (\d+)/.exec(stdout)?.[1])).toBeGreaterThan(1000);
    expect(stdout).toMatch(/went wrong \/ sự cố: nothing/);

    // Again on the same data dir: the city goes on from where it stopped, its outboxes' numbering too.
    const again = await runStemlab(['demo', '--duration', '2', '--fleet-days', '13', '--data-dir', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/seed 2050/);
    expect(again.stdout).toMatch(/went wrong \/ sự cố: nothing/);
  }, 180_000);
});
