/**
 * Node-RED has one permission for all flows (flows.write). A classroom needs more: a student
 * may add, change and delete the tabs they made, and nothing else. The editor always deploys
 * the whole workspace (every tab of every user), so the rule is checked as a difference: the
 * deployed flows against the incoming ones, unit by unit, where a unit is
 * - a tab with its nodes, groups, junctions and tab-scoped config nodes;
 * - a subflow with its nodes (only the teacher changes subflows; students may use them);
 * - a global config node (e.g. the stemlab-kit naming a robot): anyone may add one; changing or
 *   deleting one is allowed only when every tab that uses it is the student's own.
 *
 * A tab's owners are the students named in the `STEMLAB_OWNER` entry of its `env` (owners.ts):
 * one student for a tab they made (stamped here when they deploy it), every member of a club
 * team for the team's tab (stamped by the teacher's lesson deploy); a tab without it is the
 * teacher's. Any owner may change the tab. The editor that created the tab does not know the
 * stamp until it reloads, so a deploy that omits it keeps the deployed owners; a deploy that
 * names other owners (adds a student, drops one, gives a new tab to someone else) is refused:
 * only the teacher decides who owns a tab.
 *
 * "Changed" is judged on what a node does, not how an editor writes it: properties that are
 * empty ('' , null, false, [], {}), a 0 position and empty trailing wire lists count as absent,
 * because the editor fills them in for flows deployed through the API (a lesson) that lack them.
 */
import { bilingual, NodeRedError } from './errors.ts';
import { ownerNames, ownersOf, owns, sameOwners, withOwners, type EnvEntry } from './owners.ts';
import { OWNER_ENV } from './policy.ts';
import type { FlowNode } from './red.ts';

interface Unit {
  kind: 'tab' | 'subflow' | 'config' | 'orphan';
  id: string;
  /** The tab, subflow or config node itself. */
  head: FlowNode | undefined;
  /** id → canonical JSON of every node of the unit. */
  nodes: Map<string, string>;
}

/**
 * The student's deploy, checked: resolves to the flows to store (new tabs stamped with the
 * student's name, known owners kept), or throws NOT_YOUR_FLOW listing what they touched.
 */
export function checkStudentDeploy(current: readonly FlowNode[], incoming: readonly FlowNode[], student: string): FlowNode[] {
  const before = unitsOf(current);
  const after = unitsOf(incoming);
  const refused: Array<[vi: string, en: string]> = [];
  const stamp = new Map<string, string[]>();
  /** The student's own tabs this deploy adds or changes. */
  const changed = new Set<string>();

  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(key);
    const now = after.get(key);
    const same = was !== undefined && now !== undefined && sameUnit(was, now);
    if (key.startsWith('tab:')) {
      const wasOwners = ownersOf(was?.head);
      // Whose the tab is after this deploy: as deployed, or the student's when they add it.
      const owners = was ? wasOwners : [student];
      const claimed = ownersOf(now?.head);
      // No stamp in the deploy: an editor that has not reloaded since the stamp; it keeps the owners.
      const reowned = claimed.length > 0 && !sameOwners(claimed, owners);
      if (same && !reowned) {
        if (now && claimed.length === 0 && wasOwners.length > 0) stamp.set(now.id, wasOwners);
        continue;
      }
      if (was && !wasOwners.includes(student)) refused.push(tabOf(was.head, wasOwners));
      else if (now && reowned) refused.push(was ? ownersChanged(now.head, wasOwners, claimed) : givenAway(now.head, claimed));
      else if (now) {
        changed.add(now.id);
        if (claimed.length === 0) stamp.set(now.id, owners);
      }
    } else if (same || key.startsWith('orphan:')) {
      continue;
    } else if (key.startsWith('subflow:')) {
      const name = label(was?.head ?? now?.head);
      refused.push([`luồng con "${name}" (chỉ thầy cô được sửa luồng con)`, `the subflow "${name}" (only the teacher changes subflows)`]);
    } else {
      const node = (now ?? was)!.head;
      if (node?.type === 'global-config') {
        refused.push(['biến môi trường chung của mọi luồng', 'the environment variables shared by every flow']);
      } else if (was) {
        for (const tab of tabsUsing(was.id, current)) {
          if (!owns(tab, student)) refused.push(configOf(was.head, tab, ownersOf(tab)));
        }
      }
    }
  }

  const result = incoming.map((node) => {
    const owners = node.type === 'tab' ? stamp.get(node.id) : undefined;
    return owners ? withOwners(node, owners) : node;
  });
  refused.push(...foreignTargets(result, changed, student));
  if (refused.length > 0) throw notYours(refused);
  return result;
}

/**
 * NOT_YOUR_FLOW when nodes on `tabs` (a student's, as the single-flow API would store them in
 * `flows`, stamped with their owners) send to nodes on tabs that are not all of their owners'.
 */
export function assertOwnTargets(flows: readonly FlowNode[], tabs: ReadonlySet<string>, student: string): void {
  const refused = foreignTargets(flows, tabs, student);
  if (refused.length > 0) throw notYours(refused);
}

const LINK_TYPES = new Set(['link in', 'link out', 'link call']);

/**
 * Node-RED delivers a wire, or a link, to a node on any tab (Flow.getNode asks the other flows):
 * a student's inject wired to a node of another's tab would drive that student's robot, as
 * that student's flow. So the nodes on the student's changed tabs may send only to nodes on tabs
 * that every owner of the sending tab owns (`mayReach`): whoever can press a button on a team's
 * tab can already change the tab it reaches. A link in's `links` are where it receives from, so
 * for it the other tab is the sender. A link call may not pick its target by name at run time.
 * With one owner per tab this is the rule it always was: the student's own tabs only.
 */
function foreignTargets(flows: readonly FlowNode[], tabs: ReadonlySet<string>, student: string): Array<[string, string]> {
  const refused: Array<[string, string]> = [];
  if (tabs.size === 0) return refused;
  const byId = new Map(flows.map((n) => [n.id, n]));
  for (const node of flows) {
    if (!node.z || !tabs.has(node.z)) continue;
    if (node.type === 'link call' && node.linkType === 'dynamic') {
      const name = label(node);
      refused.push([`khối link call "${name}" chọn đích theo tên lúc chạy (hãy chọn một khối link in của em)`, `the link call "${name}", which picks its target by name at run time (pick one of your link in nodes)`]);
      continue;
    }
    const wires = Array.isArray(node.wires) ? (node.wires as unknown[]).flatMap((port) => (Array.isArray(port) ? port : [])) : [];
    const links = LINK_TYPES.has(node.type) ? (Array.isArray(node.links) ? (node.links as unknown[]) : typeof node.links === 'string' ? [node.links] : []) : [];
    const here = byId.get(node.z);
    // [the other node, whether it sends to this one]: a link in's links are its senders.
    const ends: Array<[unknown, boolean]> = [...wires.map((id): [unknown, boolean] => [id, false]), ...links.map((id): [unknown, boolean] => [id, node.type === 'link in'])];
    for (const [id, sends] of ends) {
      const target = typeof id === 'string' ? byId.get(id) : undefined;
      // No z: a tab or a config node, which take no messages.
      if (!target?.z || target.z === node.z) continue;
      const where = byId.get(target.z);
      // The student owns the changed tab (checked before); said again so no caller can skip it.
      if (where?.type === 'tab' && owns(here, student) && (sends ? mayReach(where, here) : mayReach(here, where))) continue;
      const [vi, en] = where?.type === 'tab' ? tabOf(where, ownersOf(where)) : ['một luồng con', 'a subflow'];
      refused.push([`dây nối từ "${label(node)}" tới "${label(target)}" trong ${vi}`, `the wire from "${label(node)}" to "${label(target)}" in ${en}`]);
    }
  }
  return refused;
}

/**
 * Whether a message may go from a node on tab `from` to one on tab `to`: the sending tab has
 * owners and each of them owns `to` (so the student deploying, an owner of `from`, owns it too).
 */
function mayReach(from: FlowNode | undefined, to: FlowNode | undefined): boolean {
  const senders = ownersOf(from);
  return senders.length > 0 && senders.every((owner) => owns(to, owner));
}

/** NOT_YOUR_FLOW for a change to a tab the student does not own (single-flow API). */
export function notYourTab(tab: FlowNode | undefined, owners: readonly string[]): NodeRedError {
  return notYours([tabOf(tab, owners)]);
}

/** NOT_YOUR_FLOW for a change of a tab's owners (single-flow API), or of a new tab's. */
export function notYourOwners(tab: FlowNode | undefined, owners: readonly string[], claimed: readonly string[]): NodeRedError {
  return notYours([tab && owners.length > 0 ? ownersChanged(tab, owners, claimed) : givenAway(tab, claimed)]);
}

/**
 * FLOW_INVALID when a single-flow change (POST /flow, PUT /flow/:id) brings a node whose id is
 * used elsewhere: Node-RED's update would keep both nodes, and the tab that had the id first
 * could no longer be deployed (its owner's editor sends two nodes with one id). `tab` is the
 * flow being replaced (its own ids may come again); absent for a new flow.
 */
export function assertIdsFree(nodes: readonly FlowNode[], current: readonly FlowNode[], tab: string | undefined): void {
  const tabs = new Map(current.filter((n) => n.type === 'tab').map((n) => [n.id, n]));
  const elsewhere = new Map(current.filter((n) => tab === undefined || n.z !== tab).map((n) => [n.id, n]));
  for (const node of nodes) {
    if (node.type === 'tab' || node.type === 'subflow') {
      throw new NodeRedError(
        'FLOW_INVALID',
        bilingual(`Một luồng không chứa được ${node.type} '${node.id}': hãy bỏ nó ra`, `A flow cannot hold the ${node.type} '${node.id}' as one of its nodes: take it out`),
      );
    }
    const other = elsewhere.get(node.id);
    if (!other) continue;
    const where = other.type === 'tab' ? other : other.z ? tabs.get(other.z) : undefined;
    const [vi, en] = where ? tabOf(where, ownersOf(where)) : ['các khối dùng chung', 'the shared nodes'];
    throw new NodeRedError(
      'FLOW_INVALID',
      bilingual(
        `Mã (id) '${node.id}' đã có ở ${vi}: mỗi khối cần một mã riêng (hãy sao chép rồi dán khối, trình soạn thảo sẽ đặt mã mới)`,
        `The id '${node.id}' is already used in ${en}: every node needs its own id (copy and paste the node; the editor gives the copy a new one)`,
      ),
    );
  }
}

/** The tab a deployed node sits on (a tab is its own), or undefined (a config node, a subflow's node, an unknown id). */
export function tabOfNode(flows: readonly FlowNode[], id: string): FlowNode | undefined {
  const node = flows.find((n) => n.id === id);
  if (!node) return undefined;
  if (node.type === 'tab') return node;
  return node.z ? flows.find((n) => n.type === 'tab' && n.id === node.z) : undefined;
}

/** NOT_YOUR_FLOW for pressing a button or switching a node that is not on the student's tab. */
export function notYourNode(tab: FlowNode | undefined, owners: readonly string[]): NodeRedError {
  const [vi, en] = tab ? tabOf(tab, owners) : ['một luồng không phải của em', 'a flow that is not yours'];
  return new NodeRedError(
    'NOT_YOUR_FLOW',
    bilingual(`Em chỉ được bấm nút inject và bật, tắt khối debug trên luồng (tab) của chính em; khối này ở ${vi}.`, `A student may only press the inject buttons and switch the debug nodes of their own flows (tabs); this node is in ${en}.`),
  );
}

/** NOT_YOUR_FLOW for what only the teacher may do. */
export function teacherOnly(vi: string, en: string): NodeRedError {
  return new NodeRedError('NOT_YOUR_FLOW', bilingual(`Chỉ thầy cô được ${vi}`, `Only the teacher may ${en}`));
}

function notYours(items: Array<[string, string]>): NodeRedError {
  const shown = items.slice(0, 3);
  const more = items.length - shown.length;
  const vi = `Em chỉ được thêm, sửa hoặc xoá luồng (tab) của chính em. Lần triển khai này đụng đến ${shown.map(([v]) => v).join('; ')}${more > 0 ? ` và ${more} mục khác` : ''}.`;
  const en = `A student may only add, change or delete their own flows (tabs). This deploy touches ${shown.map(([, e]) => e).join('; ')}${more > 0 ? ` and ${more} more` : ''}.`;
  return new NodeRedError('NOT_YOUR_FLOW', bilingual(vi, en));
}

function tabOf(tab: FlowNode | undefined, owners: readonly string[]): [string, string] {
  const name = label(tab);
  if (owners.length === 0) return [`luồng "${name}" của thầy cô`, `the teacher's flow "${name}"`];
  const who = ownerNames(owners);
  return [`luồng "${name}" của ${who}`, owners.length === 1 ? `${who}'s flow "${name}"` : `the flow "${name}" of ${who}`];
}

function givenAway(tab: FlowNode | undefined, owners: readonly string[]): [string, string] {
  const name = label(tab);
  const who = ownerNames(owners);
  return [`luồng "${name}" ghi tên ${who}`, `the flow "${name}", marked as ${who}'s`];
}

function ownersChanged(tab: FlowNode | undefined, owners: readonly string[], claimed: readonly string[]): [string, string] {
  const name = label(tab);
  const [was, now] = [ownerNames(owners), ownerNames(claimed)];
  return [
    `danh sách người làm luồng "${name}" (${was} → ${now}; chỉ thầy cô được đổi)`,
    `the owners of the flow "${name}" (${was} → ${now}; only the teacher changes them)`,
  ];
}

function configOf(config: FlowNode | undefined, tab: FlowNode, owners: readonly string[]): [string, string] {
  const name = label(config);
  const [vi, en] = tabOf(tab, owners);
  return [`khối cấu hình "${name}" mà ${vi} đang dùng`, `the config node "${name}" that ${en} uses`];
}

function label(node: FlowNode | undefined): string {
  if (!node) return '?';
  for (const key of ['label', 'name'] as const) {
    const value = node[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return `${node.type} ${node.id}`;
}

function unitsOf(flows: readonly FlowNode[]): Map<string, Unit> {
  const tabs = new Set(flows.filter((n) => n.type === 'tab').map((n) => n.id));
  const subflows = new Set(flows.filter((n) => n.type === 'subflow').map((n) => n.id));
  const units = new Map<string, Unit>();
  const add = (key: string, kind: Unit['kind'], id: string, node: FlowNode, isHead: boolean) => {
    let unit = units.get(key);
    if (!unit) units.set(key, (unit = { kind, id, head: undefined, nodes: new Map() }));
    if (isHead) unit.head = node;
    unit.nodes.set(node.id, canonical(node));
  };
  for (const node of flows) {
    if (node.type === 'tab') add(`tab:${node.id}`, 'tab', node.id, node, true);
    else if (node.type === 'subflow') add(`subflow:${node.id}`, 'subflow', node.id, node, true);
    else if (node.z && tabs.has(node.z)) add(`tab:${node.z}`, 'tab', node.z, node, false);
    else if (node.z && subflows.has(node.z)) add(`subflow:${node.z}`, 'subflow', node.z, node, false);
    else if (!node.z) add(`config:${node.id}`, 'config', node.id, node, true);
    else add(`orphan:${node.z}`, 'orphan', node.z, node, false);
  }
  return units;
}

function sameUnit(a: Unit, b: Unit): boolean {
  if (a.nodes.size !== b.nodes.size) return false;
  for (const [id, json] of a.nodes) if (b.nodes.get(id) !== json) return false;
  return true;
}

/** The tabs whose nodes use config node `id`, directly or through other config nodes. */
function tabsUsing(id: string, flows: readonly FlowNode[]): FlowNode[] {
  const byId = new Map(flows.map((n) => [n.id, n]));
  const found = new Map<string, FlowNode>();
  const seen = new Set<string>([id]);
  const queue = [id];
  while (queue.length > 0) {
    const target = queue.shift()!;
    for (const node of flows) {
      if (!refersTo(node, target)) continue;
      const tab = node.z ? byId.get(node.z) : undefined;
      if (tab) found.set(tab.id, tab);
      else if (!node.z && !seen.has(node.id)) {
        seen.add(node.id);
        queue.push(node.id);
      }
    }
  }
  return [...found.values()];
}

function refersTo(node: FlowNode, id: string): boolean {
  for (const [key, value] of Object.entries(node)) {
    if (key === 'id' || key === 'z' || key === 'wires' || key === 'g') continue;
    if (value === id || (Array.isArray(value) && value.includes(id))) return true;
  }
  return false;
}

const LAYOUT = new Set(['x', 'y', 'w', 'h']);

/** The node as JSON with sorted keys, empty values dropped, the owner stamp left out. */
function canonical(node: FlowNode): string {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node).sort()) {
    let value = node[key];
    if (key === 'wires' && Array.isArray(value)) value = trimWires(value);
    if (key === 'env' && node.type === 'tab' && Array.isArray(value)) value = (value as EnvEntry[]).filter((e) => e?.name !== OWNER_ENV);
    if (isBlank(value) || (LAYOUT.has(key) && value === 0)) continue;
    out[key] = value;
  }
  return stableJson(out);
}

function trimWires(wires: unknown[]): unknown[] {
  const out = [...wires];
  while (out.length > 0 && Array.isArray(out[out.length - 1]) && (out[out.length - 1] as unknown[]).length === 0) out.pop();
  return out;
}

function isBlank(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
