import { bridgeCommandErrorCodes, kitFaultCodes } from '@stemlab/protocol';

/**
 * Every error the agent reports to a person or a tool has a stable code, documented here once,
 * and a message that says what to do.
 */
export const agentErrorCodes = {
  // A command's refusals and a kit's fault reasons are part of the Node-RED bridge contract.
  ...bridgeCommandErrorCodes,
  ...kitFaultCodes,
  KIT_BUSY:
    'Another program drives the kit (one driver per kit: a flow, the demo, a console user); it is refused until that driver has been silent for safety.driverIdleMs, or a teacher hands the kit over on the console.',
  SIMULATOR_MISSING:
    'The config asks for simulated hardware (a kit with `find: { sim: NAME }`, or `gpio.sim: true`) but the agent was given none: only `stemlab agent`, `stemlab demo` and tests provide simulators; on a real gateway find the kit by serialNumber or path and remove gpio.sim.',
} as const;

export type AgentErrorCode = keyof typeof agentErrorCodes;

export class AgentError extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}
