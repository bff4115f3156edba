import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runStemlab, stemlabBin } from '../../testing/cli.ts';
import { PtyBoard, socatAvailable, type PinState } from '@stemlab/simulators';
import { createLogger, parseConfig } from '@stemlab/edge-agent';
import { composeGateway } from '@stemlab/compose';
import { robotKit } from '../../edge-agent/test/helpers/sim-agent.ts';
import { assertAvailable, shouldRun } from '../../testing/requirements.ts';

// `stemlab agent` as a technician runs it: a real process, its supervisor, its local API,
// signals, and a kit on a real pseudo-terminal opened through the native serial binding.

const bin = stemlabBin;
const socat = { ok: socatAvailable(), reason: 'socat is not installed: apt-get install socat' };
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-cli-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const run = runStemlab;

/** Start `stemlab agent`, resolve with the child and what its first startup line says. */
function startAgent(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; next: () => Promise<{ pid: number; url: string }> }> {
  // The command itself, as a technician runs it: its #! line gives Node its flags.
  const child = spawn(bin, ['agent', ...args]);
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  );
  let out = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  let seen = 0;
  const next = async () => {
    for (;;) {
      const lines = [...out.matchAll(/\(pid (\d+)\).*local API (http:\/\/\S+)/g)];
      if (lines.length > seen) {
        const m = lines[seen++]!;
        return { pid: Number(m[1]), url: m[2]! };
      }
      if (child.exitCode !== null) throw new Error(`agent exited: ${out}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return Promise.resolve({ child, next });
}

/** A POST as a tool on the Pi: with the agent's local token from its dataDir. */
async function post(url: string, body: unknown, dataDir?: string): Promise<{ status: string; code?: string }> {
  const token = dataDir ? readFileSync(join(dataDir, 'agent-token'), 'utf8').trim() : undefined;
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return (await res.json()) as { status: string; code?: string };
}

const pin = (pty: PtyBoard, n: number, test: (s: PinState) => boolean) => pty.board.waitForPin(n, test, 5000);

/** The next write by the host to the pin that passes `test` (a power-off reset is no write). */
function pinWrite(pty: PtyBoard, n: number, test: (s: PinState) => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pin ${n} stayed ${JSON.stringify(pty.board.pinState(n))}`)), timeoutMs);
    const listener = (s: PinState) => {
      if (s.pin !== n || !test(s)) return;
      clearTimeout(timer);
      pty.board.off('pin', listener);
      resolve();
    };
    pty.board.on('pin', listener);
  });
}

describe('stemlab agent: bad input', () => {
  it('refuses a bad config with every field named, exit code 2, and starts nothing', async () => {
    const dir = tmp();
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, 'unit: Q1\ngateway: gw\nroom: gym\nkits:\n  - { id: r1, board: uno, find: { sim: r1 }, components: [{ type: motor, id: m, pins: { pwm: 13, dir: 4 } }] }\n');
    const { code, stderr, stdout } = await run(['agent', '--config', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unit: "Q1" is not a valid unit id/);
    expect(stderr).toMatch(/room: .*robot-club/);
    expect(stderr).toMatch(/kits\[0\]\.components\[0\]\.pins\.pwm: pin 13 is not a PWM pin/);
    expect(stdout).toBe('');
  });

  it('names a missing --config and an unknown flag', async () => {
    expect((await run(['agent'])).stderr).toMatch(/--config FILE is required/);
    const unknown = await run(['agent', '--confg', 'x.yaml']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--confg'/);
  });
});

describe.runIf(shouldRun('stemlab agent on a pty board', socat))('stemlab agent on a kit behind a real serial device', () => {
  async function setup() {
    assertAvailable('socat', socat);
    const dir = tmp();
    const pty = new PtyBoard({ board: 'uno', path: join(dir, 'ttyKIT') });
    await pty.start();
    cleanup.push(() => pty.stop());
    const file = join(dir, 'agent.yaml');
    writeFileSync(
      file,
      [
        'unit: thcs-test-01',
        'gateway: gw-cli',
        'room: robot-club',
        'log: { level: warn }',
        `dataDir: ${dir}/data`,
        'mqtt: { enabled: false }',
        'safety: { watchdogMs: 5000 }',
        'connection: { retryMinMs: 100, retryMaxMs: 500 }',
        'kits:',
        `  - { id: robot-1, board: uno, find: { path: ${pty.path} }, components: [{ type: motor, id: left, pins: { pwm: 5, dir: 4 } }, { type: led, id: led, pin: 13 }] }`,
      ].join('\n'),
    );
    return { pty, file };
  }

  it('drives the kit, latches the e-stop from the CLI, and stops every motor on SIGTERM', { timeout: 90_000 }, async () => {
    const { pty, file } = await setup();
    const { child, next } = await startAgent(['--config', file, '--port', '0']);
    const { url } = await next();
    const command = `${url}/api/v1/kits/robot-1/components/left`;
    // The kit may still be connecting when the API is up.
    const data = join(dirname(file), 'data');
    expect(await post(command, { action: 'forward', speed: 150 })).toMatchObject({ status: 'error', code: 'LOGIN_REQUIRED' });
    for (let i = 0; (await post(command, { action: 'forward', speed: 150 }, data)).status !== 'ok'; i++) {
      if (i > 100) throw new Error('the kit never connected');
      await new Promise((r) => setTimeout(r, 50));
    }
    await pin(pty, 5, (s) => s.value === 150);

    const estop = await run(['agent', 'estop', '--url', url]);
    expect(estop.stdout).toMatch(/EMERGENCY STOP latched/);
    await pin(pty, 5, (s) => s.value === 0);
    expect(await post(command, { action: 'forward', speed: 150 }, data)).toMatchObject({ status: 'error', code: 'ESTOP_LATCHED' });
    // A reset needs the agent's local token: --url alone is refused, --config (its dataDir) works.
    expect((await run(['agent', 'estop', '--url', url, '--reset'])).stderr).toMatch(/--reset needs --config/);
    const reset = await run(['agent', 'estop', '--url', url, '--config', file, '--reset']);
    expect(reset.stdout, reset.stderr).toMatch(/reset/);
    expect((await post(command, { action: 'forward', speed: 90 }, data)).status).toBe('ok');
    await pin(pty, 5, (s) => s.value === 90);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // The agent writes the stop itself before it closes the port (closing a pty resets our
    // simulated board too, but silently: only a host write is a pin event).
    const stopped = pinWrite(pty, 5, (s) => s.value === 0);
    child.kill('SIGTERM');
    await stopped;
    expect(await exited).toBe(0);
  });

  it('the supervisor restarts a crashed agent, which finds its kit again; an agent whose supervisor dies stops', async () => {
    const { file } = await setup();
    const { child, next } = await startAgent(['--config', file, '--port', '0']);
    const first = await next();
    // The supervisor runs with the command's single-threaded GC; the agent keeps V8's concurrent one (agentExecArgv).
    const flagsOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(flagsOf(child.pid!)).toContain('--single-threaded-gc');
    expect(flagsOf(first.pid)).not.toContain('--single-threaded-gc');
    expect(flagsOf(first.pid)).toContain('--max-semi-space-size=2');
    process.kill(first.pid, 'SIGKILL');
    const second = await next();
    expect(second.pid).not.toBe(first.pid);
    for (let i = 0; ; i++) {
      const status = (await (await fetch(`${second.url}/api/v1/status`)).json()) as { kits: Array<{ state: string }> };
      if (status.kits[0]?.state === 'connected') break;
      if (i > 100) throw new Error(`kit not connected after restart: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Even SIGKILLed, the supervisor leaves no unsupervised agent behind.
    child.kill('SIGKILL');
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; alive(second.pid); i++) {
      if (i > 100) throw new Error(`agent ${second.pid} still runs without its supervisor`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});

describe('stemlab agent doctor and selftest', () => {
  it('doctor matches the lab example to its (simulated) boards and exits 0', async () => {
    const { code, stdout } = await run(['agent', 'doctor', '--config', join(import.meta.dirname, '../../edge-agent/examples/lab.yaml')]);
    expect(stdout).toMatch(/OK\s+bench-1/);
    expect(stdout).toMatch(/4 of 4 kits found/);
    expect(code).toBe(0);
  });

  it('selftest starts the kits when no agent runs, and reports each component', async () => {
    const dir = tmp();
    const file = join(dir, 'agent.yaml');
    writeFileSync(
      file,
      `unit: thcs-test-01\ngateway: gw-self\nroom: lab\nhttp: { port: 0 }\ndataDir: ${dir}/data\nmqtt: { enabled: false }\nkits:\n  - { id: bench, board: uno, find: { sim: bench }, components: [{ type: led, id: led, pin: 13 }, { type: relay, id: pump, pin: 7 }] }\n`,
    );
    const { code, stdout } = await run(['agent', 'selftest', '--config', file]);
    expect(stdout).toMatch(/led\s+led\s+PASS/);
    expect(stdout).toMatch(/pump\s+relay\s+PASS/);
    expect(stdout).toMatch(/3 passed, 0 warnings, 0 failed/);
    expect(code).toBe(0);
  });
});

describe('the agent tools act only on the agent of their config', () => {
  /** A running agent (in this process) with a robot, and configs that point at its port. */
  async function running() {
    const dir = tmp();
    const config = parseConfig({
      unit: 'thcs-test-01',
      gateway: 'gw-run',
      room: 'robot-club',
      dataDir: join(dir, 'data'),
      http: { port: 0 },
      mqtt: { enabled: false },
      nodered: { enabled: false },
      kits: [robotKit('robot-1')],
    });
    const gateway = await composeGateway(config, { log: createLogger('silent'), port: 0 });
    cleanup.push(() => gateway.stop());
    await gateway.agent.waitForKits('connected', 10_000);
    const commands: string[] = [];
    gateway.agent.bus.on('component:command', (e) => commands.push(`${e.kit}/${e.component}`));
    const port = Number(new URL(gateway.api.url).port);
    const file = (name: string, gatewayId: string) => {
      const path = join(dir, name);
      writeFileSync(path, `unit: thcs-test-01\ngateway: ${gatewayId}\nroom: robot-club\nhttp: { port: ${port} }\ndataDir: ${gatewayId === 'gw-run' ? join(dir, 'data') : `${dir}/${gatewayId}`}\nmqtt: { enabled: false }\nkits:\n  - { id: robot-1, board: uno, find: { sim: robot-1 }, components: [{ type: motor, id: left, pins: { pwm: 5, dir: 4 } }] }\n`);
      return path;
    };
    return { gateway, commands, url: gateway.api.url, own: file('own.yaml', 'gw-run'), other: file('other.yaml', 'gw-other') };
  }

  it("selftest and estop refuse another gateway's agent on the config's port, and touch nothing", async () => {
    const { gateway, commands, other } = await running();
    const selftest = await run(['agent', 'selftest', '--config', other, '--yes']);
    expect(selftest.code).toBe(1);
    expect(selftest.stderr).toMatch(/is thcs-test-01\/gw-run, not this config's thcs-test-01\/gw-other/);
    expect(selftest.stderr).toMatch(/its own http\.port.*--url/);
    const estop = await run(['agent', 'estop', '--config', other]);
    expect(estop.code).toBe(1);
    expect(estop.stderr).toMatch(/not this config's thcs-test-01\/gw-other/);
    expect(gateway.agent.estop.latched).toBe(false);
    expect(commands).toEqual([]);
  });

  it('selftest asks before it moves motors: refused without a terminal, run with --yes (by --url too)', async () => {
    const { commands, own, url } = await running();
    const refused = await run(['agent', 'selftest', '--config', own]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/turns the motors and servos of robot-1/);
    expect(refused.stderr).toMatch(/not confirmed, nothing tested \(--yes/);
    expect(commands).toEqual([]);

    // The self-test is a technician's act: a tool needs the agent's local token (its config's dataDir).
    const anonymous = await post(`${url}/api/v1/selftest`, {});
    expect(anonymous).toMatchObject({ status: 'error', code: 'LOGIN_REQUIRED' });
    expect(commands).toEqual([]);
    const confirmed = await run(['agent', 'selftest', '--url', url, '--config', own, '--yes']);
    expect(confirmed.stdout).toMatch(/left\s+motor\s+PASS/);
    expect(commands).toContain('robot-1/left');
  });
});
