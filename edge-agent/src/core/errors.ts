/**
 * Every error the agent reports to a person or a tool has a stable code, documented here once,
 * and a message that says what to do.
 */
export const agentErrorCodes = {
  KIT_UNKNOWN: 'No kit with that id in the config.',
  COMPONENT_UNKNOWN: 'No component with that id on the kit.',
  COMMAND_INVALID: 'The command does not fit the component (unknown action or a value out of range).',
  KIT_NOT_CONNECTED: 'The kit is unplugged, still connecting, or faulty; the agent keeps retrying.',
  ESTOP_LATCHED: 'The emergency stop is latched: actuators take no commands until a teacher resets it.',
  BOARD_NOT_FOUND: 'No serial port matches the kit: check the USB cable, or run `stemlab agent doctor`.',
  BOARD_NO_FIRMATA: 'The port opened but no Firmata answered: upload StandardFirmata (or PingFirmata) to the board.',
  BOARD_STALLED: 'The board stopped answering; the agent resets it by reopening its port.',
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
