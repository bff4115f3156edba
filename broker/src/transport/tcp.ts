/** The plain MQTT listener (mqtt://): gateways on the department's own network. */
import { createServer } from 'node:net';
import { closer, listen, urlOf, type Bind, type Handle, type Listener } from './listener.ts';

export async function listenTcp(bind: Bind, handle: Handle): Promise<Listener> {
  const server = createServer((socket) => {
    // Without it a QoS 1 round trip stalls ~40 ms on Nagle + the peer's delayed ACK.
    socket.setNoDelay(true);
    handle(socket);
  });
  const close = closer(server);
  await listen(server, bind);
  return { scheme: 'mqtt', url: urlOf('mqtt', server), close };
}
