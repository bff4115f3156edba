/**
 * Checks a flow before it reaches Node-RED, for the lesson deploy API and the editor's deploys:
 * its shape (an array of node objects with an id and a type, on tabs or subflows that exist),
 * its size, and its node types (none of the excluded ones; installed ones only, where asked).
 * Node-RED itself would take a flow with an unknown type and stop *every* flow of the gateway
 * until the type appears, which a remote deploy to a whole club must never do.
 */
import { bilingual, NodeRedError } from './errors.ts';
import { exclusionReason, MAX_FLOW_BYTES, MAX_FLOW_NODES, type ExclusionReason } from './policy.ts';
import type { FlowNode } from './red.ts';

/** Types that are structure, not installed nodes. */
const STRUCTURE = new Set(['tab', 'subflow', 'group']);

/** `flows` as a flow, or FLOW_INVALID / FLOW_TOO_LARGE naming the first problem. */
export function parseFlow(flows: unknown, what = 'the flow'): FlowNode[] {
  if (!Array.isArray(flows)) {
    throw new NodeRedError('FLOW_INVALID', `${what} must be a JSON array of Node-RED nodes (as the editor exports it), not ${describe(flows)}`);
  }
  if (flows.length > MAX_FLOW_NODES) {
    throw new NodeRedError('FLOW_TOO_LARGE', `${what} has ${flows.length} nodes; a deploy may carry at most ${MAX_FLOW_NODES}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(flows));
  if (bytes > MAX_FLOW_BYTES) {
    throw new NodeRedError('FLOW_TOO_LARGE', `${what} is ${Math.ceil(bytes / 1024)} KB of JSON; a deploy may carry at most ${MAX_FLOW_BYTES / 1024} KB`);
  }
  const ids = new Set<string>();
  flows.forEach((node: unknown, i) => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) throw new NodeRedError('FLOW_INVALID', `${what}: item ${i} is ${describe(node)}, not a node object`);
    const { id, type, z } = node as Record<string, unknown>;
    if (typeof id !== 'string' || id === '') throw new NodeRedError('FLOW_INVALID', `${what}: item ${i} has no string 'id'`);
    if (typeof type !== 'string' || type === '') throw new NodeRedError('FLOW_INVALID', `${what}: node '${id}' has no string 'type'`);
    if (z !== undefined && typeof z !== 'string') throw new NodeRedError('FLOW_INVALID', `${what}: node '${id}' has a 'z' (its tab) that is not a string`);
    if (ids.has(id)) throw new NodeRedError('FLOW_INVALID', `${what}: two nodes have the id '${id}'; every node needs its own`);
    ids.add(id);
  });
  return flows as FlowNode[];
}

/** Every node sits on a tab or in a subflow of `flows` (or is a config node, without `z`). */
export function assertPlaced(flows: readonly FlowNode[], what = 'the flow'): void {
  const containers = new Set(flows.filter((n) => n.type === 'tab' || n.type === 'subflow').map((n) => n.id));
  for (const node of flows) {
    if (node.z && !containers.has(node.z)) {
      throw new NodeRedError('FLOW_INVALID', `${what}: node '${node.id}' (${node.type}) is on tab '${node.z}', which is not in the flow; export the whole tab`);
    }
  }
}

/** The nodes of `flows` whose type is excluded on this gateway. */
export function forbiddenNodes(flows: readonly FlowNode[], forbiddenTypes: readonly string[]): FlowNode[] {
  const forbidden = new Set(forbiddenTypes);
  return flows.filter((n) => forbidden.has(n.type));
}

/** NODE_TYPE_FORBIDDEN, in Vietnamese and English, for a deploy with excluded nodes: which, and why. */
export function forbiddenError(nodes: readonly FlowNode[]): NodeRedError {
  const types = [...new Set(nodes.map((n) => n.type))];
  const byReason = (reason: ExclusionReason) => types.filter((t) => (exclusionReason(t) ?? 'never') === reason).map((t) => `'${t}'`);
  const parts: Array<[string, string]> = [];
  const never = byReason('never');
  if (never.length > 0) {
    parts.push([`khối ${never.join(', ')} không được dùng trên máy của lớp (chúng chạy lệnh hoặc đọc, ghi tệp trên máy)`, `${never.join(', ')} never run on the classroom gateway (such nodes run commands or read and write its files)`]);
  }
  const fn = byReason('function');
  if (fn.length > 0) {
    parts.push([`khối ${fn.join(', ')} chưa được thầy cô bật (nodered.allowFunctionNode)`, `the ${fn.join(', ')} node is not enabled on this gateway (a teacher enables it: nodered.allowFunctionNode)`]);
  }
  const net = byReason('network');
  if (net.length > 0) {
    parts.push([`khối mạng ${net.join(', ')} chưa được thầy cô bật (nodered.networkNodes)`, `the network nodes ${net.join(', ')} are not enabled on this gateway (a teacher enables them: nodered.networkNodes)`]);
  }
  const vi = `Không triển khai được: ${parts.map(([v]) => v).join('; ')}.`;
  const en = `Deploy refused: ${parts.map(([, e]) => e).join('; ')}.`;
  return new NodeRedError('NODE_TYPE_FORBIDDEN', bilingual(vi, en));
}

/** NODE_TYPE_UNKNOWN for types neither installed nor defined by the flow (a subflow). */
export function assertInstalled(flows: readonly FlowNode[], isInstalled: (type: string) => boolean, known: readonly FlowNode[] = []): void {
  const subflows = new Set([...flows, ...known].filter((n) => n.type === 'subflow').map((n) => `subflow:${n.id}`));
  const missing = new Set<string>();
  for (const node of flows) {
    if (STRUCTURE.has(node.type) || subflows.has(node.type)) continue;
    if (!isInstalled(node.type)) missing.add(node.type);
  }
  if (missing.size > 0) {
    const list = [...missing].map((t) => `'${t}'`).join(', ');
    throw new NodeRedError(
      'NODE_TYPE_UNKNOWN',
      `the flow uses ${list}, not installed on this gateway (Node-RED would stop every flow until it is); install the palette that provides it or remove those nodes`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
