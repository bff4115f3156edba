/**
 * What Aedes 1.2 and its mqtt-packet allocate per connection (or once, at the first packet
 * written) that a central holding thousands of idle gateways does without. Found with heap
 * snapshots of 10,000 idle connections diffed by object kind (broker/bench/connections/storm.ts
 * --snapshots, heap-diff.ts, heap-retainers.ts; figures in docs/scaling.md):
 *
 * - mqtt-packet's number cache: 65,536 two-byte Buffers, ≈6.4 MB of heap, made when the first
 *   packet is written, so that a packet identifier is written without an allocation. Turned off
 *   with the package's documented switch (`writeToStream.cacheNumbers = false`, "set before any
 *   writeToStream calls"): each PUBACK or outgoing QoS 1 PUBLISH then takes 2 bytes from Node's
 *   Buffer pool.
 * - the parser's buffer list: mqtt-packet's parser keeps the bytes of a packet not yet complete in
 *   a `bl` BufferListStream, a Duplex stream (two stream states, an event table, bound callbacks:
 *   ≈0.9 kB a connection) of which it uses only the list methods (append, consume, readUInt8,
 *   slice, toString). bl builds BufferListStream's list methods by copying BufferList's prototype
 *   onto it (bl.js), so a plain BufferList runs the very same functions; it replaces the stream
 *   only when that holds for the parser at hand (checked per client: cheap, and a future mqtt-packet
 *   with another list is left alone). The parser makes a new stream after a parse error, when
 *   Aedes closes the connection anyway.
 * - the end-of-stream watch: Aedes closes a client when its stream ends, errs or closes through
 *   `stream.finished` (lib/client.js: `this._eos = finished(conn, this.close.bind(this))`), seven
 *   listener closures and their context per connection (≈0.6 kB). It listens itself for 'end'
 *   (`conn.on('end', close)`) and 'error' (`_onError`, which closes), so what finished adds is a
 *   stream that closes without either (destroyed by the broker or by us): one 'close' listener,
 *   the same function for every client, does that. `_eos` is what Aedes calls to remove its watch
 *   on close; it removes ours instead.
 * - the client's `subscriptions` and `duplicates` tables: `Object.create(null)` (Aedes's
 *   GHSA-52qw-whmv-87c5 fix: keys come from the wire, so an inherited name must read back as
 *   absent), which V8 makes a dictionary from the start, ≈190 bytes each even when empty (most
 *   gateways have one subscription and, on one node, no duplicates). An empty object whose
 *   prototype is then set to null is the same to JavaScript (no inherited names, `__proto__` an
 *   ordinary key) and stays a fast object of ≈56 bytes until it needs more.
 */
import { createRequire } from 'node:module';

type ListMethods = Record<'append' | 'consume' | 'readUInt8' | 'slice' | 'toString', unknown>;
interface BufferListClass {
  new (): ListMethods;
  prototype: ListMethods;
}
interface MqttPacket {
  writeToStream: { cacheNumbers: boolean };
}

// mqtt-packet and bl as Aedes resolves them (a copy elsewhere in node_modules would be another module).
const fromAedes = createRequire(createRequire(import.meta.url).resolve('aedes'));
const mqttPacketPath = fromAedes.resolve('mqtt-packet');
const mqttPacket = fromAedes('mqtt-packet') as MqttPacket;
const { BufferList } = createRequire(mqttPacketPath)('bl') as { BufferList: BufferListClass };
const LIST_METHODS = ['append', 'consume', 'readUInt8', 'slice', 'toString'] as const;

interface WatchedClient {
  conn: NodeJS.EventEmitter & { destroyed?: boolean; client?: WatchedClient };
  _eos?: () => void;
  close(): void;
}

/** A stream of a client that closed: Aedes's close() is idempotent, so a client closed already is fine. */
function closeOwner(this: { client?: WatchedClient }): void {
  this.client?.close();
}

/** Aedes calls it as `client._eos()` when the client closes. */
function unwatchClose(this: WatchedClient): void {
  this.conn.removeListener('close', closeOwner);
}

/** Replaces the client's end-of-stream watch with one shared 'close' listener (see the top of this file). */
export function leanCloseWatch(client: object): boolean {
  const c = client as Partial<WatchedClient>;
  // A stream closed already would never say so again: the original watch (which knows) stays.
  if (typeof c._eos !== 'function' || !c.conn || c.conn.destroyed || c.conn.client !== c) return false;
  c._eos();
  c.conn.on('close', closeOwner);
  c._eos = unwatchClose;
  return true;
}

/** An empty table with no prototype, as Object.create(null) is, in V8's fast mode (see the top of this file). */
function emptyTable(): Record<string, unknown> {
  return Object.setPrototypeOf({}, null) as Record<string, unknown>;
}

/** A new client's subscriptions and duplicates tables, while still empty, made small (see the top of this file). */
export function leanTables(client: object): boolean {
  const c = client as { subscriptions?: object; duplicates?: object };
  let changed = false;
  for (const key of ['subscriptions', 'duplicates'] as const) {
    const table = c[key];
    if (table === undefined || Object.getPrototypeOf(table) !== null || Reflect.ownKeys(table).length > 0) continue;
    c[key] = emptyTable();
    changed = true;
  }
  return changed;
}

/** Once per process, before the broker writes its first packet. */
export function leanPackets(): void {
  mqttPacket.writeToStream.cacheNumbers = false;
}

/** A new client's parser keeps its pending bytes in a plain BufferList (see the top of this file). */
export function leanParser(client: object): boolean {
  const parser = (client as { _parser?: { _list?: Partial<ListMethods> } })._parser;
  const list = parser?._list;
  if (!parser || !list) return false;
  if (list instanceof BufferList) return true;
  for (const method of LIST_METHODS) if (list[method] !== BufferList.prototype[method]) return false;
  const lean = new BufferList() as unknown as { append(buf: Buffer): void };
  // Bytes already in it (none yet when Aedes hands the client over) go with it.
  const pending = list as unknown as { length: number; slice(): Buffer };
  if (pending.length > 0) lean.append(pending.slice());
  parser._list = lean as unknown as ListMethods;
  return true;
}
