/**
 * A server child for measuring what a held connection costs, layer by layer:
 * `node --import tsx --expose-gc target.ts KIND`, KIND one of
 *
 * - net: a plain `net` server that answers CONNECT with CONNACK and PINGREQ with PINGRESP by the
 *   first byte of each chunk (Node's own cost of a socket: the floor under any Node broker);
 * - aedes: a plain Aedes (`Aedes.createBroker()`, memory persistence, no hooks) on a net server.
 *
 * Same messages as central.ts: {port} when listening, probe.ts's 'rss' and 'snapshot:PATH'.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { answerProbes } from './probe.ts';

const kind = process.argv[2] ?? 'net';
const CONNACK = Buffer.from([0x20, 0x02, 0x00, 0x00]);
const PINGRESP = Buffer.from([0xd0, 0x00]);

let connected = () => 0;
let handle: (socket: Socket) => void;
if (kind === 'net') {
  const sockets = new Set<Socket>();
  connected = () => sockets.size;
  handle = (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      if (chunk[0] === 0x10) socket.write(CONNACK);
      else if (chunk[0] === 0xc0) socket.write(PINGRESP);
    });
  };
} else if (kind === 'aedes') {
  const broker = await Aedes.createBroker({ maxClientsIdLength: 140 });
  connected = () => broker.connectedClients;
  handle = (socket) => broker.handle(socket);
} else {
  throw new Error(`unknown kind ${kind}: net or aedes`);
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  handle(socket);
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
answerProbes(() => connected());
process.on('disconnect', () => process.exit(0));
