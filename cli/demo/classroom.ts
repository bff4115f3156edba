import type { ComposedGateway } from '@stemlab/compose';
import { squareDriver } from './square-driver.ts';

/**
 * The simulated world around the kits: a robot that drives a square in its arena and waits
 * before an obstacle (square-driver.ts; it lets go while a lesson deployed to the robot drives
 * it), and a lab whose sensors drift like a real experiment. Returns a function that stops it.
 */
export function runClassroom(club: ComposedGateway, lab: ComposedGateway, say: (line: string) => void): () => void {
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => void) => {
    fn();
    timers.push(setInterval(fn, ms));
  };
  const after = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms));
  const sim = club.simulator!;
  const agent = club.agent;

  // Robot 1 drives a square and waits before obstacles, unless a lesson deployed to it drives it.
  const driver = squareDriver(agent, say);
  every(100, () => driver.tick());
  // A lesson on robot 2: the teacher tags it, so its line sensors' readings (the oval track under
  // it, in its arena) count as use. Its id is the one `stemlab lesson list` shows (flows/lessons/index.json).
  club.usage.tag({ kind: 'lesson', lessonId: 'line', classId: '8a1', by: 'demo teacher' }, ['robot-2']);
  say("teacher: robot-2 runs lesson 'line' (Follow a line / Đi theo vạch) for class 8a1");
  // The lab: a class's experiment on benches 1 and 2. The teacher tags them, so their sensors'
  // readings are use (untagged, a bench that is merely on sends readings but is not in use).
  lab.usage.tag({ kind: 'experiment', lessonId: 'heat-and-ph', classId: '9b2', by: 'demo teacher' }, ['bench-1', 'bench-2']);
  say("teacher: benches 1 and 2 run the experiment 'heat-and-ph' for class 9b2");
  // Water warming up, a pH that settles, light that flickers.
  const labSim = lab.simulator!;
  const start = Date.now();
  every(500, () => {
    const minutes = (Date.now() - start) / 60_000;
    labSim.board('bench-1').setVoltage('A0', 0.22 + Math.min(minutes * 0.05, 0.3)); // LM35: 10 mV/°C
    labSim.board('bench-1').setVoltage('A1', 2.5 + Math.sin(Date.now() / 700) * 0.4);
    labSim.board('bench-2').setVoltage('A2', 2.4 + Math.exp(-minutes) * 0.8);
  });
  // A student pulls robot 3's USB cable, and plugs it back three seconds later.
  after(6000, () => {
    say('a student pulls robot-3\'s USB cable');
    sim.port('robot-3').unplug();
  });
  after(9000, () => {
    say('robot-3 is plugged back in');
    sim.port('robot-3').plug();
  });
  return () => {
    timers.forEach((timer) => clearTimeout(timer));
    driver.stop();
  };
}
