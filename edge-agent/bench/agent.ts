import { BoardSimulator, SimulatedGpio, type PinState, type SimulatedBoard } from '@stemlab/simulators';
import { Agent } from '../src/agent.ts';
import { HttpApi } from '../src/api/http.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/core/log.ts';
import { addSimulatedKits } from '@stemlab/compose';
import { latencyResults, round, type BenchResult, type BenchSuite } from '../../bench/types.ts';

/**
 * The robot-club example gateway (6 robots) on simulated boards: how long a command takes from
 * the API call to the pin change, and an e-stop from the call to the last motor pin at zero,
 * with the links free and held to a real board's 57,600 baud.
 */
export const agentSuite: BenchSuite = {
  name: 'agent',
  title: 'Edge agent: the robot-club example (6 simulated robots)',
  async run() {
    const results: BenchResult[] = [];
    for (const wireRate of [false, true]) {
      const label = wireRate ? '57600 baud' : 'free link';
      const gw = await gateway(wireRate);
      try {
        results.push(...(await commandLatency(gw, label)));
        results.push(...(await estopLatency(gw, label)));
        results.push(...(await estopLatency(gw, label, true)));
      } finally {
        await gw.stop();
      }
    }
    return results;
  },
};

interface BenchGateway {
  agent: Agent;
  sim: BoardSimulator;
  url: string;
  /** The agent's local token: the bench is a tool on the Pi. */
  token: string;
  stop(): Promise<void>;
}

async function gateway(wireRate: boolean): Promise<BenchGateway> {
  const config = await loadConfig(new URL('../examples/robot-club.yaml', import.meta.url).pathname);
  const sim = new BoardSimulator();
  addSimulatedKits(config, sim, { wireRate });
  const gpio = new SimulatedGpio();
  const agent = new Agent({ ...config, safety: { ...config.safety, watchdogMs: 10_000 } }, { serial: sim.binding, gpio }, { log: createLogger('silent') });
  const api = new HttpApi(agent, { host: '127.0.0.1', port: 0 });
  await agent.use(api);
  await agent.start();
  await agent.waitForKits('connected', 20_000);
  return {
    agent,
    sim,
    url: api.url,
    token: api.auth.token!,
    async stop() {
      await agent.stop();
      sim.close();
      gpio.close();
    },
  };
}

function nextWrite(board: SimulatedBoard, pin: number, value: number): Promise<void> {
  return new Promise((resolve) => {
    const listener = (state: PinState) => {
      if (state.pin !== pin || state.value !== value) return;
      board.off('pin', listener);
      resolve();
    };
    board.on('pin', listener);
  });
}

async function commandLatency(gw: BenchGateway, label: string): Promise<BenchResult[]> {
  const board = gw.sim.board('robot-1');
  const direct: number[] = [];
  const http: number[] = [];
  for (let i = 0; i < 400; i++) {
    const speed = 100 + (i % 2) * 50;
    const changed = nextWrite(board, 5, speed);
    const t0 = performance.now();
    gw.agent.command('robot-1', 'left-motor', { action: 'forward', speed });
    await changed;
    direct.push(performance.now() - t0);
  }
  for (let i = 0; i < 400; i++) {
    const speed = 100 + (i % 2) * 50;
    const changed = nextWrite(board, 5, speed);
    const t0 = performance.now();
    const res = await fetch(`${gw.url}/api/v1/kits/robot-1/components/left-motor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gw.token}` },
      body: JSON.stringify({ action: 'forward', speed }),
    });
    await res.arrayBuffer();
    await changed;
    http.push(performance.now() - t0);
  }
  gw.agent.command('robot-1', 'left-motor', { action: 'stop' });
  return [
    ...latencyResults(`agent command → pin change, in-process API (${label})`, direct),
    ...latencyResults(`agent command → pin change, local HTTP API (${label})`, http),
  ];
}

/** `viaHttp`: pressed as the console's button does (POST /api/v1/estop), else in-process. */
async function estopLatency(gw: BenchGateway, label: string, viaHttp = false): Promise<BenchResult[]> {
  const kits = [...gw.agent.kits.keys()];
  const samples: number[] = [];
  for (let round_ = 0; round_ < 30; round_++) {
    gw.agent.estop.reset('bench');
    const running: Array<Promise<void>> = [];
    for (const kit of kits) {
      const board = gw.sim.board(kit);
      running.push(nextWrite(board, 5, 180), nextWrite(board, 6, 180));
      gw.agent.command(kit, 'left-motor', { action: 'forward', speed: 180 });
      gw.agent.command(kit, 'right-motor', { action: 'forward', speed: 180 });
    }
    await Promise.all(running);
    const stopped = kits.flatMap((kit) => [nextWrite(gw.sim.board(kit), 5, 0), nextWrite(gw.sim.board(kit), 6, 0)]);
    const t0 = performance.now();
    if (viaHttp) void fetch(`${gw.url}/api/v1/estop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"source":"console"}' }).then((r) => r.arrayBuffer());
    else gw.agent.estop.trigger('bench');
    await Promise.all(stopped);
    samples.push(performance.now() - t0);
  }
  gw.agent.estop.reset('bench');
  const results = latencyResults(`e-stop${viaHttp ? ' pressed on the console (HTTP)' : ''} → last of ${kits.length * 2} motor pins at 0 (${label})`, samples);
  return results.map((r) => ({ ...r, value: round(r.value) }));
}
