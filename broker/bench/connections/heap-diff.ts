/**
 * What a heap snapshot holds more than another, by object kind, per connection:
 *   node --import tsx heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [CONNECTIONS] [TOP]
 * Groups the nodes by type and name (a constructor, "(closure) name", "system / Context", …) and
 * prints the difference in count and self size, per connection, largest first.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function groups(file: string): Map<string, { count: number; bytes: number }> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const types = s.snapshot.meta.node_types[0];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt]!]!;
    let name = s.strings[s.nodes[i + nameAt]!]!;
    // Strings and numbers by type only; closures by function name; the rest by name.
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number' || type === 'hidden' || type === 'code') name = '';
    if (name.length > 60) name = `${name.slice(0, 57)}...`;
    const key = `${type}\t${name}`;
    const g = out.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += s.nodes[i + sizeAt]!;
    out.set(key, g);
  }
  return out;
}

const [beforeFile, afterFile, n = '10000', top = '40'] = process.argv.slice(2);
if (!beforeFile || !afterFile) throw new Error('usage: heap-diff.ts BEFORE AFTER [CONNECTIONS] [TOP]');
const before = groups(beforeFile);
const after = groups(afterFile);
const per = Number(n);
const rows = [...after].map(([key, a]) => {
  const b = before.get(key) ?? { count: 0, bytes: 0 };
  const [type, name] = key.split('\t');
  return { type, name, perConn: Math.round(((a.count - b.count) / per) * 100) / 100, bytesPerConn: Math.round((a.bytes - b.bytes) / per) };
});
rows.sort((x, y) => y.bytesPerConn - x.bytesPerConn);
const total = rows.reduce((t, r) => t + r.bytesPerConn, 0);
console.table(rows.slice(0, Number(top)));
console.log(`total self size per connection: ${total} bytes`);
