/**
 * The one id rule: units, gateways, kits, components and GPIO lines are ids, and every id becomes
 * an MQTT topic segment (stemlab/v1/{unit}/{gateway}/...), so `/`, `+`, `#`, spaces and capitals
 * are out. Configs, payloads, HTTP parameters and CLI options all check ids with `idSchema`.
 */
import { z } from 'zod';

/** 1 to 64 lowercase letters, digits and '-', not starting or ending with '-'. */
export const ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/**
 * An id field; `what` names it in errors ("unit id", "kit id"), `example` shows a good one.
 * The error says what was given, what the rule is and why.
 */
export function idSchema(what = 'id', example = 'robot-1') {
  return z
    .string({ error: (iss) => (iss.input === undefined ? `required: a ${what} such as '${example}'` : `${what} must be a string such as '${example}'`) })
    .regex(ID_PATTERN, {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not a valid ${what}; use lowercase letters, digits and '-' (at most 64, e.g. '${example}'), because it becomes an MQTT topic segment`,
    });
}
