/** MQTT over TLS (mqtts://): gateways that reach the central across the city's networks. */
import { createServer } from 'node:tls';
import { readCerts, type CertFiles } from './certs.ts';
import { closer, listen, urlOf, type Bind, type Handle, type Listener } from './listener.ts';

export async function listenTls(options: Bind & CertFiles, handle: Handle, onError: (err: Error) => void): Promise<Listener> {
  // A connection that never finishes its handshake holds a socket: 10 s, not Node's 120.
  const server = createServer({ ...readCerts(options, 'tls'), handshakeTimeout: 10_000 }, (socket) => handle(socket));
  // On the raw socket, before the handshake: the handshake itself is small packets too.
  server.on('connection', (socket: import('node:net').Socket) => socket.setNoDelay(true));
  // A client that does not trust our certificate, or speaks plain MQTT to this port.
  server.on('tlsClientError', onError);
  const close = closer(server);
  await listen(server, options);
  return { scheme: 'mqtts', url: urlOf('mqtts', server), close };
}
