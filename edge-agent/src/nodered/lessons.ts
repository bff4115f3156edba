import { createHash } from 'node:crypto';
import { lesson } from '@stemlab/flows';
import { AgentError } from '../core/errors.ts';

type Flow = Array<Record<string, unknown>>;

/**
 * A lesson's flows from the curriculum shipped with the gateway (flows/lessons/), ready to
 * deploy: on another kit than the lesson's own, its stemlab-kit config node is pointed there.
 * With several kits, one copy of the lesson's tab per kit ("– robot-2" in its label), each with
 * its own node ids (derived from the kit, so deploying again replaces the same tabs) and its own
 * kit config node.
 */
export function lessonFlows(id: string, variant: 'starter' | 'solution', kit?: string | readonly string[]): Flow {
  let found;
  try {
    found = lesson(id);
  } catch (err) {
    throw new AgentError('COMMAND_INVALID', (err as Error).message);
  }
  const flows = structuredClone(found[variant]) as Flow;
  if (kit === undefined) return flows;
  if (typeof kit === 'string') return onKit(flows, kit);
  if (new Set(kit).size !== kit.length) throw new AgentError('COMMAND_INVALID', `kits: each kit once (${kit.join(', ')})`);
  if (kit.length === 1) return onKit(flows, kit[0]!);
  return kit.flatMap((k) => copyFor(flows, k));
}

function onKit(flows: Flow, kit: string): Flow {
  for (const node of flows) if (node.type === 'stemlab-kit') node.kit = kit;
  return flows;
}

/** The lesson's nodes with ids of their own for `kit`, wires and config references rewritten. */
function copyFor(flows: Flow, kit: string): Flow {
  const ids = new Map(flows.map((n) => [n.id as string, createHash('sha256').update(`${kit}/${String(n.id)}`).digest('hex').slice(0, 16)]));
  const rename = (value: unknown): unknown => {
    if (typeof value === 'string') return ids.get(value) ?? value;
    if (Array.isArray(value)) return value.map(rename);
    return value;
  };
  return flows.map((node) => {
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      // Ids, tabs, wires and config-node references (kit) are renamed; other values are kept.
      copy[key] = key === 'id' || key === 'z' || key === 'wires' || key === 'kit' || key === 'links' ? rename(value) : value;
    }
    if (node.type === 'tab') copy.label = `${String(node.label)} – ${kit}`;
    if (node.type === 'stemlab-kit') {
      copy.kit = kit;
      copy.name = kit;
    }
    return copy;
  });
}
