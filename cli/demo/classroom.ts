import type { ComposedGateway } from '@stemlab/compose';
import { squareDriver } from './square-driver.ts';

/**
 * The simulated world around the kits: a robot that drives a square in its arena and waits
 * before an obstacle (square-driver.ts; it lets go while a lesson deployed to the robot drives
 * it), and a lab experiment recording the simulated water cooling. Returns a function that stops it.
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
  // The lab's sensors are simulated by compose (water cooling, a lamp dimming, a titration...):
  // group 1 records bench 1 for five minutes, visible live on the lab page.
  try {
    const experiment = lab.lab.begin({ title: 'Nước nguội dần / Water cooling', group: 'Nhóm 1', sensors: ['bench-1/water-temp', 'bench-1/light'], rateHz: 10, durationS: 300 }, 'demo teacher');
    say(`lab: group 'Nhóm 1' records ${experiment.sensors.map((s) => s.id).join(' and ')} at 10 Hz for 5 min: ${lab.api.url}/lab`);
  } catch (err) {
    say(`lab: the demo experiment did not start: ${(err as Error).message}`);
  }
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
