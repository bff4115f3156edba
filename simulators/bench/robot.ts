import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { RobotRoom, RobotWorld, SimulatedBoard, frameOf, robotViewHandler } from '../src/index.ts';
import { round, type BenchResult, type BenchSuite } from '../../bench/types.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * The simulated robot: how many simulated seconds one wall-clock second runs, for one robot
 * following the oval (what a lesson check does) and for 20 at once (a class's checks, each robot
 * in its own world, and 20 robots sharing one arena); and the live view's cost: the server's
 * frame for 6 robots, and the page's drawing time per screen refresh for 6 robots in headless
 * Chromium (goal: well inside 33 ms, i.e. 30 fps on a school laptop).
 */
export const robotSuite: BenchSuite = {
  name: 'robot',
  title: 'Simulated robots: physics faster than real time, and the live view',
  async run() {
    const results: BenchResult[] = [];
    results.push(speed('robot world, 1 robot following the oval', 1, 'own'));
    results.push(speed('robot world, 20 robots following the oval, each in its own world', 20, 'own'));
    results.push(speed('robot world, 20 robots in one arena (collisions between robots)', 20, 'shared'));
    results.push(serverFrame());
    results.push(...(await viewFrameTime()));
    return results;
  },
};

/**
 * A line follower as a lesson check would run it: every 20 simulated ms read the line sensors
 * and steer (the line lesson's rules), every 60 ms ping the sonar.
 */
function speed(name: string, count: number, layout: 'own' | 'shared'): BenchResult {
  const worlds: RobotWorld[] = [];
  const robots: Array<{ world: RobotWorld; id: string }> = [];
  if (layout === 'own') {
    for (let i = 0; i < count; i++) {
      const world = new RobotWorld({ arena: 'line-oval', seed: i + 1 });
      world.addRobot({ id: 'r' });
      worlds.push(world);
      robots.push({ world, id: 'r' });
    }
  } else {
    const world = new RobotWorld({ arena: 'empty-table', seed: 1 });
    for (let i = 0; i < count; i++) {
      const id = `r${i}`;
      world.addRobot({ id, start: { x: 20 + (i % 5) * 40, y: 20 + Math.floor(i / 5) * 36, heading: i * 37 } });
      robots.push({ world, id });
    }
    worlds.push(world);
  }
  const simulatedMs = 60_000;
  const t0 = performance.now();
  for (let t = 0; t < simulatedMs; t += 20) {
    for (const { world, id } of robots) {
      const line = world.lineSensors(id);
      const on = line.map((v) => v > 490);
      const robot = world.robot(id);
      if (t % 60 === 0) world.sonar(id);
      if (on[0] && !on[2]) robot.drive(-110, 110);
      else if (on[2] && !on[0]) robot.drive(110, -110);
      else robot.drive(130, 130);
    }
    for (const world of worlds) world.advance(20);
  }
  const wallMs = performance.now() - t0;
  return { name: `${name}: simulated seconds per wall-clock second`, value: round(simulatedMs / wallMs, 1), unit: 'x real time' };
}

function room(): RobotRoom {
  const r = new RobotRoom({ seed: 1 });
  const arenas = ['empty-table', 'line-oval', 'obstacle-course', 'maze', 'line-figure-eight', 'sumo-ring'];
  arenas.forEach((arena, i) => {
    const robot = r.add(`robot-${i + 1}`, new SimulatedBoard({ board: 'uno' }), { arena });
    // No host drives these boards: turn gently so each robot keeps moving in its arena.
    robot.world.robot(robot.id).drive(150, 120);
  });
  return r;
}

function serverFrame(): BenchResult {
  const r = room();
  const members = r.robots();
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) JSON.stringify(members.map(frameOf));
  const ms = (performance.now() - t0) / n;
  r.close();
  return { name: 'robot view, the server\'s frame for 6 robots (sensors, pose, JSON)', value: round(ms, 3), unit: 'ms' };
}

async function viewFrameTime(): Promise<BenchResult[]> {
  let pw: typeof import('playwright-core') | undefined;
  try {
    pw = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
  } catch {
    pw = undefined;
  }
  if (!pw || !existsSync(CHROMIUM)) {
    console.warn('[skipped] robot view frame time: needs Debian\'s chromium and playwright-core');
    return [];
  }
  const r = room();
  r.start();
  const view = robotViewHandler(r);
  // The view as a gateway mounts it, with every request logged in (the bench measures drawing).
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!path.startsWith('/robot-view')) return res.writeHead(404).end();
    view(req, res, { path: path.slice('/robot-view'.length) || '/', user: { username: 'bench', teacher: true } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/robot-view/`;
  const browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.addInitScript("localStorage.setItem('auth-tokens', JSON.stringify({ access_token: 'bench' }))");
    await page.goto(url);
    await page.waitForFunction('window.robotView.robots().length === 6 && window.robotView.stats().frames > 5');
    await page.evaluate('window.robotView.resetStats()');
    await page.waitForTimeout(5000);
    const stats = (await page.evaluate('window.robotView.stats()')) as { frames: number; draws: number; meanDrawMs: number; maxDrawMs: number };
    return [
      { name: 'robot view, drawing 6 robots per screen refresh in headless Chromium (mean)', value: round(stats.meanDrawMs, 2), unit: 'ms' },
      { name: 'robot view, drawing 6 robots per screen refresh in headless Chromium (max)', value: round(stats.maxDrawMs, 2), unit: 'ms' },
      { name: 'robot view, screen refreshes drawn per second (6 robots, headless)', value: round(stats.draws / 5, 1), unit: 'fps' },
      { name: 'robot view, frames received per second', value: round(stats.frames / 5, 1), unit: 'frames/s' },
    ];
  } finally {
    await browser.close();
    view.close();
    server.closeAllConnections();
    server.close();
    r.close();
  }
}
