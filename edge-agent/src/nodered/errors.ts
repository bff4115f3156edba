/**
 * The errors of the Node-RED side of the agent, each with a stable code documented here once.
 * Messages a student or teacher reads in the editor are in Vietnamese and English (`bilingual`).
 */
export const noderedErrorCodes = {
  NODERED_IN_USE: 'Another agent in this process already runs Node-RED: its runtime is a module-level singleton, so one process hosts one Node-RED.',
  NODERED_RESTART: 'Node-RED already ran and stopped in this process; Node-RED 4.1 cannot start twice in one process (restart the agent process).',
  NODERED_NOT_RUNNING: 'Node-RED is not running on this gateway (disabled in the config, no editor accounts, or the agent is stopped).',
  ACCOUNTS_MISSING: 'No editor accounts on this gateway yet: run `stemlab agent accounts` to create them.',
  ACCOUNTS_EXIST: 'The editor accounts exist already; replacing them changes every password (pass replace: true).',
  ACCOUNTS_INVALID: 'The editor accounts file is damaged: create the accounts again (replace: true).',
  FLOW_INVALID: 'Not a Node-RED flow: a JSON array of node objects, each with a string id and type, on tabs that exist.',
  FLOW_TOO_LARGE: 'The flow is larger than a lesson flow may be.',
  NODE_TYPE_FORBIDDEN: 'The flow uses a node this gateway does not offer (exec, file, watch; function unless a teacher enabled it).',
  NODE_TYPE_UNKNOWN: 'The flow uses a node type this gateway has not installed.',
  NOT_YOUR_FLOW: 'A student may only add, change or delete their own flows (tabs); the teacher may change anything.',
  NOTHING_TO_ROLL_BACK: 'No lesson was deployed since the agent started with this data directory, so there are no previous flows to go back to.',
  DEPLOY_STALE: 'A deploy made from flows that someone has since changed: merge (the editor offers it) and deploy again.',
  DEPLOY_CONFLICT: 'Someone deployed in the editor while the lesson was being deployed; deploy the lesson again.',
} as const;

export type NodeRedErrorCode = keyof typeof noderedErrorCodes;

export class NodeRedError extends Error {
  constructor(
    readonly code: NodeRedErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NodeRedError';
  }
}

/** "vi / en": one line a Vietnamese class and an English-speaking teacher both read. */
export function bilingual(vi: string, en: string): string {
  return `${vi} / ${en}`;
}
