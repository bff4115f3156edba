import { lesson } from '@stemlab/flows';
import { AgentError } from '../core/errors.ts';

/**
 * A lesson's flows from the curriculum shipped with the gateway (flows/lessons/), ready to
 * deploy: on another kit than the lesson's own, its stemlab-kit config node is pointed there.
 */
export function lessonFlows(id: string, variant: 'starter' | 'solution', kit?: string): Array<Record<string, unknown>> {
  let found;
  try {
    found = lesson(id);
  } catch (err) {
    throw new AgentError('COMMAND_INVALID', (err as Error).message);
  }
  const flows = structuredClone(found[variant]) as Array<Record<string, unknown>>;
  if (kit) for (const node of flows) if (node.type === 'stemlab-kit') node.kit = kit;
  return flows;
}
