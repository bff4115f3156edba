/**
 * The packet-size limit and the protocol-level check, applied to a client's bytes before Aedes's
 * parser buffers them. Wraps the client's parser (`client._parser.parse`, the one entry Aedes
 * feeds socket data to): Aedes reads the socket in paused mode, so a second reader on the socket
 * is not an option. Checked against aedes@1 at startup: a client without `_parser` throws.
 */
import type { Client } from 'aedes';

export type FrameRefusal = { reason: 'protocol-violation'; details: Record<string, unknown> } | { reason: 'packet-too-large'; details: Record<string, unknown> };

/** Told why a client's bytes were refused, before its connection closes. */
export type FrameRefused = (refusal: FrameRefusal, client: Client) => void;

type Parse = (buf: Buffer) => number;
const GUARD = Symbol('stemlab.frames');
interface GuardedParser {
  parse: Parse;
  client: Client;
  [GUARD]?: ClientFrames;
}

/**
 * Counts the bytes of each packet as they arrive and closes the connection when a packet's fixed
 * header announces more than `maxPacketBytes` (0 = no limit); answers an unsupported protocol
 * level with CONNACK 0x01 [MQTT-3.1.2-2]. `refused` is told why before the connection closes.
 *
 * Per client this is one object on the parser (a ClientFrames): the parse function and `refused`
 * are shared by every client, so thousands of idle gateways cost no closures (issue 17's heap
 * snapshots: the closures, their contexts and a bound parse were ~0.45 kB a connection).
 */
export function guardFrames(client: Client, maxPacketBytes: number, refused: FrameRefused): void {
  const parser = (client as unknown as { _parser?: GuardedParser })._parser;
  if (!parser) throw new Error('aedes client has no _parser: the packet size limit needs updating for this Aedes version');
  parser[GUARD] = new ClientFrames(maxPacketBytes > 0 ? maxPacketBytes : Number.MAX_SAFE_INTEGER, parser.parse, refused);
  parser.parse = guardedParse;
}

/** The parser's parse, behind the guard (`this` is the parser: Aedes calls `client._parser.parse(buf)`). */
function guardedParse(this: GuardedParser, buf: Buffer): number {
  const frames = this[GUARD]!;
  const client = this.client;
  if (frames.first) {
    frames.first = false;
    // [MQTT-3.1.2-2] an unsupported protocol level gets CONNACK 0x01, then the connection
    // closes. mqtt-packet throws on levels other than 3, 4 and 5 before Aedes can answer.
    const level = connectLevel(buf);
    if (level !== undefined && ![3, 4, 5].includes(level & 0x7f)) {
      frames.onRefused({ reason: 'protocol-violation', details: { clause: 'MQTT-3.1.2-2', level } }, client);
      client.conn.end(Buffer.from([0x20, 0x02, 0x00, 0x01]));
      return 0;
    }
  }
  if (frames.scan(buf)) return frames.parse.call(this, buf);
  frames.onRefused({ reason: 'packet-too-large', details: { maxPacketBytes: frames.max } }, client);
  client.conn.destroy();
  return 0;
}

/** The protocol level of a CONNECT at the start of `buf` (protocol name MQTT or MQIsdp), if it is there. */
function connectLevel(buf: Buffer): number | undefined {
  if (buf.length < 2 || buf[0] !== 0x10) return undefined;
  let i = 1;
  while (i < buf.length && i < 5 && buf[i]! & 0x80) i++;
  i++; // past the last length byte
  if (i + 2 > buf.length) return undefined;
  const nameLength = buf.readUInt16BE(i);
  const name = buf.toString('latin1', i + 2, i + 2 + nameLength);
  const at = i + 2 + nameLength;
  return (name === 'MQTT' || name === 'MQIsdp') && at < buf.length ? buf[at] : undefined;
}

/**
 * Follows MQTT framing (a type byte, a 1–4 byte remaining length, the body) across chunks and
 * says no when a packet's total size would pass `max`, as soon as its length is known.
 */
export class FrameScanner {
  private body = 0; // body bytes of the current packet still to skip
  private inLength = false;
  private length = 0;
  private lengthBytes = 0;
  private refused = false;

  constructor(readonly max: number) {}

  scan(buf: Buffer): boolean {
    if (this.refused) return false;
    this.refused = !this.follow(buf);
    return !this.refused;
  }

  private follow(buf: Buffer): boolean {
    let i = 0;
    while (i < buf.length) {
      if (this.body > 0) {
        const n = Math.min(this.body, buf.length - i);
        this.body -= n;
        i += n;
        continue;
      }
      const byte = buf[i++]!;
      if (!this.inLength) {
        this.inLength = true;
        this.length = 0;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * 128 ** this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes >= 4) return false; // a 5th length byte: malformed [MQTT-2.2.3]
        continue;
      }
      if (1 + this.lengthBytes + this.length > this.max) return false;
      this.inLength = false;
      this.body = this.length;
    }
    return true;
  }
}

/** What the guard keeps per client: the framing state, and where to go on. */
class ClientFrames extends FrameScanner {
  first = true;
  constructor(
    max: number,
    readonly parse: Parse,
    readonly onRefused: FrameRefused,
  ) {
    super(max);
  }
}
