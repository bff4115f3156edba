/**
 * MQTT over WebSocket (ws://, or wss:// with certificates): browsers (the dashboard, a teacher's
 * page) speak MQTT this way. Each WebSocket becomes a byte stream (`createWebSocketStream`) that
 * Aedes handles like a TCP socket.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { readCerts, type CertFiles } from './certs.ts';
import { closer, listen, urlOf, type Bind, type Handle, type Listener } from './listener.ts';

export interface WebSocketOptions extends Bind {
  /** The HTTP path of the WebSocket (default /mqtt, what MQTT.js and Paho use). */
  path?: string | undefined;
  tls?: Pick<CertFiles, 'cert' | 'key'> | undefined;
  /**
   * Largest WebSocket message accepted, in bytes (default ws's 100 MiB). ws buffers a whole
   * message before the stream, and so the MQTT packet-size guard, sees any of it.
   */
  maxMessageBytes?: number | undefined;
}

export async function listenWebSocket(options: WebSocketOptions, handle: Handle): Promise<Listener> {
  const path = options.path ?? '/mqtt';
  const server: Server = options.tls ? createHttpsServer(readCerts(options.tls, 'websocket.tls')) : createHttpServer();
  server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  // Anything but an upgrade on this port is a mistake: say so instead of hanging.
  server.on('request', (_req, res: import('node:http').ServerResponse) => res.writeHead(426, { 'content-type': 'text/plain' }).end(`MQTT over WebSocket: connect to ${path}\n`));
  // The subprotocols MQTT.js, Paho and browsers offer; 'mqtt' is what MQTT 3.1.1 and 5 name.
  const wss = new WebSocketServer({
    server,
    path,
    ...(options.maxMessageBytes ? { maxPayload: options.maxMessageBytes } : {}),
    handleProtocols: (offered) => (offered.has('mqtt') ? 'mqtt' : offered.has('mqttv3.1') ? 'mqttv3.1' : false),
  });
  wss.on('connection', (ws, req: IncomingMessage) => {
    const stream = createWebSocketStream(ws);
    // The security policy keys the connect rate by remote address, which a stream does not have.
    Object.defineProperty(stream, 'remoteAddress', { value: req.socket.remoteAddress });
    handle(stream, req);
  });
  const closeServer = closer(server);
  await listen(server, options);
  const scheme = options.tls ? 'wss' : 'ws';
  return {
    scheme,
    url: urlOf(scheme, server, path),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closeServer();
    },
  };
}
