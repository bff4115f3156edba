/**
 * Who holds the objects of one kind in a heap snapshot, to see what a per-connection object is
 * kept for: `node --import tsx heap-retainers.ts FILE.heapsnapshot TYPE NAME [TOP]`, e.g.
 * `object Buffer` or `array "(object properties)"`. Prints retainer kind and edge name, by count.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const [file, wantType, wantName, top = '30'] = process.argv.slice(2);
if (!file || !wantType || wantName === undefined) throw new Error('usage: heap-retainers.ts FILE TYPE NAME [TOP]');
const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const nf = s.snapshot.meta.node_fields;
const ef = s.snapshot.meta.edge_fields;
const W = nf.length;
const EW = ef.length;
const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f)) as [number, number, number, number];
const [eTypeAt, eNameAt, eToAt] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f)) as [number, number, number];
const nodeTypes = s.snapshot.meta.node_types[0];
const edgeTypes = s.snapshot.meta.edge_types[0];
const label = (i: number) => `${nodeTypes[s.nodes[i + typeAt]!]}:${s.strings[s.nodes[i + nameAt]!]!.slice(0, 50)}`;
const wanted = (i: number) => nodeTypes[s.nodes[i + typeAt]!] === wantType && s.strings[s.nodes[i + nameAt]!] === wantName;
// The first strong retainer of every node (its node index and edge label), for chains of DEPTH.
const depth = Number(process.env.DEPTH ?? '1');
const retainer = new Int32Array(s.nodes.length / W).fill(-1);
const via: string[] = new Array<string>(s.nodes.length / W);
let e = 0;
for (let i = 0; i < s.nodes.length; i += W) {
  const edges = s.nodes[i + edgeCountAt]!;
  for (let k = 0; k < edges; k++, e += EW) {
    const to = s.edges[e + eToAt]! / W;
    const et = edgeTypes[s.edges[e + eTypeAt]!]!;
    if (et === 'weak' || retainer[to] !== -1) continue;
    retainer[to] = i / W;
    via[to] = `${et}:${et === "element" || et === "hidden" ? (s.edges[e + eNameAt]! < 8 ? `[${s.edges[e + eNameAt]}]` : "[n]") : s.strings[s.edges[e + eNameAt]!]}`;
  }
}
const out = new Map<string, { count: number; bytes: number }>();
for (let i = 0; i < s.nodes.length; i += W) {
  if (!wanted(i)) continue;
  let chain = '';
  let n = i / W;
  for (let d = 0; d < depth && retainer[n] !== -1; d++) {
    chain = `${label(retainer[n]! * W)} --${via[n]}--> ${chain}`;
    n = retainer[n]!;
  }
  const key = chain || '(no retainer)';
  const g = out.get(key) ?? { count: 0, bytes: 0 };
  g.count++;
  g.bytes += s.nodes[i + sizeAt]!;
  out.set(key, g);
}
const rows = [...out].map(([retainer, g]) => ({ retainer, ...g })).sort((a, b) => b.bytes - a.bytes);
console.table(rows.slice(0, Number(top)));
console.log(`${[...out.values()].reduce((n, g) => n + g.count, 0)} nodes, ${[...out.values()].reduce((n, g) => n + g.bytes, 0)} bytes`);
