// The check process: simulated timers first, before Node-RED, Johnny-Five or the agent load
// (they would keep real ones), then the worker. Plain JS: it registers tsx for the rest.
import { register } from 'tsx/esm/api';

register({ tsconfig: false });
const { installSimClock } = await import('./clock.ts');
const clock = installSimClock();
const { serve } = await import('./worker.ts');
await serve(clock);
