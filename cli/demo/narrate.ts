/**
 * What the demo says about its two gateways: kits coming and going, safety stops, the e-stop; the
 * readings only when asked (--verbose), a few a second per component otherwise flood the
 * terminal. A kit fault is also a problem for the end-of-run summary.
 */
import type { ComposedGateway } from '@stemlab/compose';

export function narrate(gateways: readonly ComposedGateway[], say: (line: string) => void, options: { verbose: boolean; problem: (p: string) => void }): { stop(): void } {
  const offs: Array<() => void> = [];
  for (const gateway of gateways) {
    const { bus, config } = gateway.agent;
    const lastShown = new Map<string, number>();
    offs.push(
      bus.on('kit:state', (e) => {
        say(`${config.gateway}/${e.kit}: ${e.state}${e.reason ? ` (${e.reason})` : ''}`);
        if (e.state === 'fault') options.problem(`${config.gateway}/${e.kit} faulted${e.reason ? `: ${e.reason}` : ''}`);
      }),
      bus.on('safety:stop', (e) => e.reason !== 'shutdown' && say(`${config.gateway}/${e.kit}: actuators stopped (${e.reason})`)),
      bus.on('estop', (e) => say(`${config.gateway}: EMERGENCY STOP ${e.latched ? 'latched' : 'reset'} by ${e.source}`)),
    );
    if (options.verbose) {
      offs.push(
        bus.on('component:reading', (e) => {
          const key = `${e.kit}/${e.component}`;
          const now = Date.now();
          if (now - (lastShown.get(key) ?? 0) < 3000) return;
          lastShown.set(key, now);
          say(`${config.gateway}/${key} (${e.type}): ${JSON.stringify(e.value)}`);
        }),
      );
    }
  }
  return { stop: () => offs.forEach((off) => off()) };
}
