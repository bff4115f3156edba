// The check process: simulated timers first, before Node-RED, Johnny-Five or the agent load
// (they would keep real ones), then the worker. Plain JS: it registers tsx for the rest.
import { register } from 'tsx/esm/api';

register({ tsconfig: false });
// The parent gone (closed the channel, or died), nobody waits for a verdict: end, leaving no orphan.
process.on('disconnect', () => process.exit(0));
const { installSimClock } = await import('./clock.ts');
const clock = installSimClock();
const { serve } = await import('./worker.ts');
await serve(clock);
