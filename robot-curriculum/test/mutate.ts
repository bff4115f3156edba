/**
 * Wrong answers as students write them: a lesson's solution with one change made the way a
 * student gets it wrong (a threshold too small, a sign error, a wire missing, a wrong time).
 * Nodes are found by their name, as a student sees them in the editor (or `type:T`).
 */
import type { FlowNode } from '../src/flow-builder.ts';

export type Mutation = (flow: FlowNode[]) => void;

/** The node named `name`, or of type T for `type:T` (nodes a lesson left unnamed). */
function byName(flow: FlowNode[], name: string): FlowNode {
  const node = flow.find((n) => (name.startsWith('type:') ? n.type === name.slice(5) : n.name === name));
  if (!node) throw new Error(`no node named '${name}' (names: ${flow.map((n) => n.name).filter(Boolean).join(', ')})`);
  return node;
}

/** Set a property of the node named `name`. */
export const set = (name: string, props: Record<string, unknown>): Mutation => (flow) => void Object.assign(byName(flow, name), props);

/** Remove the wire from `from` to `to`. */
export const unwire = (from: string, to: string): Mutation => (flow) => {
  const a = byName(flow, from);
  const b = byName(flow, to);
  a.wires = (a.wires ?? []).map((out) => out.filter((id) => id !== b.id));
};

/** Add a wire from output `output` of `from` to `to`. */
export const wire = (from: string, to: string, output = 0): Mutation => (flow) => {
  const a = byName(flow, from);
  a.wires![output]!.push(byName(flow, to).id);
};

/** Put a node between `from` and `to` (on every output of `from` that reaches `to`). */
export const insert = (from: string, to: string, node: Omit<FlowNode, 'id' | 'z' | 'wires'>): Mutation => (flow) => {
  const a = byName(flow, from);
  const b = byName(flow, to);
  const id = `mistake${flow.length}`;
  a.wires = (a.wires ?? []).map((out) => out.map((x) => (x === b.id ? id : x)));
  flow.push({ ...node, id, z: a.z, x: 0, y: 0, wires: [[b.id]] } as unknown as FlowNode);
};

/** A change node that negates msg.payload (true ↔ false): the sign error of a boolean. */
export const negate = { type: 'change', name: 'đảo / not', rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '$not(payload)', tot: 'jsonata' }] };

export function apply(flow: readonly FlowNode[], ...mutations: Mutation[]): FlowNode[] {
  const copy = structuredClone(flow) as FlowNode[];
  for (const m of mutations) m(copy);
  return copy;
}
