/**
 * The check process's loop: start Node-RED once (following the wall clock while it loads its
 * files), then run the checks the parent sends over IPC one after another, answering each
 * with its verdict and trace. A flow the gateway would refuse answers `refused`, not a crash.
 */
import { realNow, type SimClock } from './clock.ts';
import { judgeTrace, scenarioOf } from './kinds/index.ts';
import { isRobotCheck } from './kinds/robot.ts';
import { kitConfig } from '../kits.ts';
import { robotWorld } from './world.ts';
import { FlowRefused, runSession } from './session.ts';
import { startCheckRuntime } from './runtime.ts';
import type { CheckRequest, CheckReply } from './protocol.ts';

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

export async function serve(clock: SimClock): Promise<void> {
  const lang = process.env.STEMLAB_CHECK_LANG === 'en' ? 'en' : 'vi';
  const stopFollowing = clock.realTime();
  const runtime = await startCheckRuntime(lang);
  stopFollowing();
  const send = (reply: CheckReply) => process.send!(reply);
  let queue = Promise.resolve();
  process.on('message', (request: CheckRequest) => {
    queue = queue.then(async () => {
      const started = realNow();
      const cpu = process.cpuUsage();
      try {
        const world = isRobotCheck(request.check) ? robotWorld(request.check.arena, request.seed, kitConfig('robot', 'robot-1'), request.check.noise) : undefined;
        const trace = await runSession(runtime, clock, {
          flow: request.flow,
          profile: request.profile,
          seed: request.seed,
          scenario: (random) => scenarioOf(request.check, random),
          ...(world ? { world } : {}),
        });
        send({ id: request.id, status: 'judged', verdict: judgeTrace(request.check, trace), trace, wallMs: realNow() - started, cpuMs: cpuMs(process.cpuUsage(cpu)) });
      } catch (err) {
        if (err instanceof FlowRefused) send({ id: request.id, status: 'refused', code: err.code, message: err.message });
        else send({ id: request.id, status: 'error', message: (err as Error).stack ?? String(err) });
      }
    });
  });
  send({ id: 0, status: 'ready' });
}
