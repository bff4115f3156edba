import type { Purpose } from './messages.ts';

/**
 * The contract between the edge agent and its Node-RED palette (flows/): what a palette node may
 * do with the agent it runs in, reached as `RED.settings.stemlab`. The agent implements it
 * (edge-agent/src/nodered/bridge-impl.ts); every command goes through the agent, so its
 * validation, limits, watchdog, e-stop and usage tracking are always in the path, never around it.
 */
export interface StemlabBridge {
  gateway: { unit: string; gateway: string };
  /**
   * The agent's dead-man window (safety.watchdogMs): a kit's motors stop when no fresh command
   * reached them for this long. A node that keeps a motion going re-sends it at a fraction of
   * this (flows/nodes/lib/motion.js), so a valid config never makes motors stutter.
   */
  readonly watchdogMs: number;
  /** The kits of this gateway and their components, for the editor's drop-downs. */
  kits(): Array<{
    id: string;
    label: string | undefined;
    state: string;
    reason: string | undefined;
    components: Array<{ id: string; type: string; label: string | undefined }>;
  }>;
  /**
   * Send a component a command (commands.ts); when refused, throws an error whose `code` is one
   * of `bridgeCommandErrorCodes` (or KIT_BUSY: another program drives the kit) and whose message
   * says why. `driver` names the program (the node's flow tab): one driver moves a kit at a time.
   */
  command(kit: string, component: string, command: Record<string, unknown>, driver?: string): Record<string, unknown>;
  /** The latest value of a component (sensor reading, actuator state). */
  value(kit: string, component: string): unknown;
  kitState(kit: string): { state: string; reason: string | undefined };
  /** Each returns a function that removes the listener (call it in the node's 'close'). */
  onKitState(listener: (event: { kit: string; state: string; reason?: string }) => void): () => void;
  onReading(listener: (event: { kit: string; component: string; type: string; value: unknown }) => void): () => void;
  onEstop(listener: (event: { latched: boolean; source: string }) => void): () => void;
  estop: { latched(): boolean; trigger(source: string): void };
  /** Usage tagging: what follows on these kits (all when absent) is this lesson/class/club session. */
  tag(purpose: Purpose, kits?: readonly string[]): void;
  /**
   * A lesson's automatic check ran from the editor's sidebar (flows/plugins/stemlab-check.js):
   * the room console shows the team's verdict as it comes. Optional: an older agent lacks it.
   */
  checked?(verdict: CheckedVerdict): void;
  /**
   * Before a check runs: may `by` (the logged-in editor user, from the request, never from the
   * posted body) submit a check of `tab`? Throws when the tab is another team's in the running
   * club session: an error with `code` (NOT_YOUR_TEAM), `status` (403), `message` in English and
   * `extra.messageVi` in Vietnamese; the sidebar answers with it and runs nothing. Optional: an
   * older agent lacks it.
   */
  mayCheck?(request: CheckRequest): void;
}

/** Who asks to check which tab (the check sidebar, before running the check). */
export interface CheckRequest {
  lessonId: string;
  tab?: string;
  /** The editor account logged in on the request. */
  by?: string;
}

/** What the check sidebar reports to the agent after a check. */
export interface CheckedVerdict {
  lessonId: string;
  /** The id of the tab checked. */
  tab?: string;
  /** The kits the checked flow's stemlab-kit nodes name. */
  kits?: string[];
  /** The editor account that ran it: the request's logged-in user, never a field of the posted body. */
  by?: string;
  status: 'pass' | 'fail' | 'invalid';
  message: string;
}

/**
 * Why the agent refuses a command (through the bridge, the local API or MQTT), each code
 * documented once. The palette words each in the user's language (flows/nodes/locales).
 */
export const bridgeCommandErrorCodes = {
  KIT_UNKNOWN: 'No kit with that id in the config.',
  COMPONENT_UNKNOWN: 'No component with that id on the kit.',
  COMMAND_INVALID: 'The command does not fit the component (unknown action or a value out of range).',
  KIT_NOT_CONNECTED: 'The kit is unplugged, still connecting, or faulty; the agent keeps retrying.',
  ESTOP_LATCHED: 'The emergency stop is latched: actuators take no commands until a teacher resets it.',
} as const;

export type BridgeCommandErrorCode = keyof typeof bridgeCommandErrorCodes;

/** Why a kit is not connected (its state's reason code, shown as the kit node's badge), never a command's answer. */
export const kitFaultCodes = {
  BOARD_NOT_FOUND: 'No serial port matches the kit: check the USB cable, or run `stemlab agent doctor`.',
  BOARD_NO_FIRMATA: 'The port opened but no Firmata answered: upload StandardFirmata (or PingFirmata) to the board.',
  BOARD_STALLED: 'The board stopped answering; the agent resets it by reopening its port.',
} as const;

export type KitFaultCode = keyof typeof kitFaultCodes;
