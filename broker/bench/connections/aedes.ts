/**
 * Our broker engine by itself in a child process of the `broker` bench ("Aedes alone"): plain
 * Aedes on a TCP port, as the central creates it (TCP_NODELAY, long client ids), without access
 * policy, ingest or state. A process of its own, like the central under test (central.ts) and
 * Mosquitto, so that it does not share a thread with the bench's publishers and subscriber:
 * `node --import tsx aedes.ts`. Reports {port} when listening; ends on 'stop' or when the bench
 * goes away (the bench kills it in any case).
 */
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

const broker = await Aedes.createBroker({ maxClientsIdLength: 140 });
const server = createServer((socket) => {
  socket.setNoDelay(true);
  broker.handle(socket);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.send?.({ port: (server.address() as AddressInfo).port });

const stop = () => broker.close(() => server.close(() => process.exit(0)));
process.on('message', (message) => {
  if (message === 'stop') stop();
});
process.on('disconnect', stop);
