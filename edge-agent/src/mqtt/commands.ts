/**
 * Commands to the gateway over MQTT (`cmd/{name}` → `cmd/{name}/reply`): parsing, validation
 * against the shared schemas, and dispatch to a handler. Whatever arrives, the answer is a reply
 * in the one envelope, never a crash: a broken payload gets an error reply with a code.
 */
import { z } from 'zod';
import { commandRequestSchema, gatewayCommands, type CommandReply, type GatewayCommandName } from '@stemlab/protocol';
import type { Agent } from '../agent.ts';
import type { Logger } from '../core/log.ts';

/** The codes a command reply can carry besides the agent's own (KIT_UNKNOWN, ESTOP_LATCHED...). */
export const commandErrorCodes = {
  COMMAND_MALFORMED: 'The payload is not JSON of the form {"requestId": "...", "args": {...}}; the reply\'s requestId is empty when none could be read.',
  COMMAND_UNKNOWN: 'The gateway has no command of that name.',
  COMMAND_EXPIRED: "The command arrived after its expiresAt (it waited at the broker while the gateway was offline) and was not run.",
  COMMAND_ARGS_INVALID: 'The args do not fit the command; the message names the field.',
  COMMAND_UNAVAILABLE: 'The command exists but the extension that runs it is not running on this gateway.',
  COMMAND_FAILED: 'The command failed unexpectedly; the agent log has the details.',
  COMMAND_DISABLED: "The gateway's config turns this command off (e.g. estop-reset unless mqtt.allowEstopReset); the message names the switch.",
} as const;
export type CommandErrorCode = keyof typeof commandErrorCodes;

export type CommandArgs<N extends GatewayCommandName> = z.output<(typeof gatewayCommands)[N]>;
export interface CommandContext<N extends GatewayCommandName = GatewayCommandName> {
  name: N;
  requestId: string;
}
/** Runs a command; what it returns is the reply's `result`, what it throws an error reply (its `code`, if any). */
export type CommandHandler<N extends GatewayCommandName> = (args: CommandArgs<N>, context: CommandContext<N>) => unknown;

type AnyHandler = (args: unknown, context: CommandContext) => unknown;

export class CommandRouter {
  private readonly handlers = new Map<GatewayCommandName, AnyHandler>();

  constructor(private readonly log: Logger) {}

  /** Who runs command `name`; one handler per command. Returns the function that removes it. */
  register<N extends GatewayCommandName>(name: N, handler: CommandHandler<N>): () => void {
    if (!Object.hasOwn(gatewayCommands, name)) throw new Error(`'${name}' is not a gateway command (protocol: gatewayCommands)`);
    if (this.handlers.has(name)) throw new Error(`command '${name}' already has a handler`);
    const entry = handler as AnyHandler;
    this.handlers.set(name, entry);
    return () => {
      if (this.handlers.get(name) === entry) this.handlers.delete(name);
    };
  }

  /** The reply to a command payload; never throws. */
  async handle(name: string, payload: Buffer): Promise<CommandReply> {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return failure('', 'COMMAND_MALFORMED', `the payload of '${name}' is not JSON; send {"requestId": "...", "args": {...}}`);
    }
    const request = commandRequestSchema.safeParse(json);
    if (!request.success) return failure(requestIdOf(json), 'COMMAND_MALFORMED', `'${name}': ${z.prettifyError(request.error)}`);
    const { requestId, args, expiresAt } = request.data;
    // Judged by the gateway's clock, which may be wrong before NTP sync; a late command is safer refused.
    if (expiresAt !== undefined && Date.now() > expiresAt) {
      return failure(requestId, 'COMMAND_EXPIRED', `'${name}' expired at ${new Date(expiresAt).toISOString()} before it reached the gateway; send it again`);
    }
    if (!Object.hasOwn(gatewayCommands, name)) {
      return failure(requestId, 'COMMAND_UNKNOWN', `no command '${name}'; the gateway answers ${Object.keys(gatewayCommands).join(', ')}`);
    }
    const command = name as GatewayCommandName;
    const parsed = gatewayCommands[command].safeParse(args);
    if (!parsed.success) return failure(requestId, 'COMMAND_ARGS_INVALID', `'${name}' args: ${z.prettifyError(parsed.error)}`);
    const handler = this.handlers.get(command);
    if (!handler) return failure(requestId, 'COMMAND_UNAVAILABLE', `'${name}' is not available on this gateway: the extension that runs it is not running`);
    try {
      const result = await handler(parsed.data, { name: command, requestId });
      // The reply is JSON: find out here, not in the publish, whether the result is.
      const wire = result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as unknown);
      return wire === undefined ? { requestId, status: 'ok' } : { requestId, status: 'ok', result: wire };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)) return failure(requestId, code, (err as Error).message);
      this.log.error({ err, command: name, requestId }, 'command failed');
      return failure(requestId, 'COMMAND_FAILED', `'${name}' failed: ${(err as Error).message ?? String(err)}`);
    }
  }
}

/** The commands the agent itself runs; session-start/-stop and selftest belong to other extensions. */
export function registerAgentCommands(router: CommandRouter, agent: Agent): void {
  router.register('estop', (args) => {
    agent.estop.trigger(args?.source ?? 'mqtt');
    return { estop: agent.status().estop };
  });
  router.register('estop-reset', (args) => {
    // A reset is the room's decision: from the centre only when the gateway's config allows it.
    if (!agent.config.mqtt.allowEstopReset) {
      throw Object.assign(new Error("this gateway's e-stop is reset in the room (the console or `stemlab agent estop --reset`); set mqtt.allowEstopReset: true to allow it from the centre"), { code: 'COMMAND_DISABLED' });
    }
    agent.estop.reset(args?.by ?? 'mqtt');
    return { estop: agent.status().estop };
  });
  router.register('component', (args) => ({ result: agent.command(args.kit, args.component, args.command) }));
  router.register('config', () => ({ config: redactSecrets(agent.config) }));
}

const SECRET = /password|passphrase|secret|token|credential|private.?key/i;

/** A copy of `value` with every secret-looking field replaced, so a config can be shown to anyone. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, SECRET.test(key) && v !== undefined ? '[redacted]' : redactSecrets(v)]));
}

function failure(requestId: string, code: string, message: string): CommandReply {
  return { requestId, status: 'error', code, message };
}

/** The request id of a payload too broken to validate, when it still has a usable one. */
function requestIdOf(json: unknown): string {
  const id = json !== null && typeof json === 'object' ? (json as Record<string, unknown>).requestId : undefined;
  return typeof id === 'string' && id.length <= 64 ? id : '';
}
