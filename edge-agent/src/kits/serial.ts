import type { BindingInterface, OpenOptions, PortInfo } from '@serialport/bindings-interface';

/**
 * The serial ports the agent can reach: the machine's own (serialport's native binding) and,
 * when the config names `sim:` boards, a simulator's. Paths starting with `sim:` go to the
 * simulator; everything else to the native binding. The kit code cannot tell them apart.
 */
export function combinedBinding(native: BindingInterface | undefined, simulated: BindingInterface | undefined): BindingInterface {
  return {
    async list(): Promise<PortInfo[]> {
      const [real, sim] = await Promise.all([native?.list() ?? [], simulated?.list() ?? []]);
      return [...real, ...sim];
    },
    async open(options: OpenOptions) {
      const binding = options.path.startsWith('sim:') ? simulated : native;
      if (!binding) {
        throw new Error(options.path.startsWith('sim:') ? `no simulator runs in this agent for ${options.path}` : 'no native serial binding on this machine');
      }
      return binding.open(options);
    },
  } as BindingInterface;
}

/** serialport's native binding for this machine, loaded only when a real port is needed. */
export async function nativeBinding(): Promise<BindingInterface> {
  const { SerialPort } = await import('serialport');
  return SerialPort.binding as unknown as BindingInterface;
}
