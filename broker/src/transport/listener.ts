/**
 * What every listener of the central shares: the shape startCentral gets back, binding a server
 * to its port, and the URL a client would use (with the port actually bound, and 127.0.0.1 for a
 * wildcard address so the URL is one a client on this machine can dial).
 */
import type { AddressInfo, Server, Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export type Scheme = 'mqtt' | 'mqtts' | 'ws' | 'wss';

export interface Listener {
  scheme: Scheme;
  /** e.g. mqtts://127.0.0.1:8883 or wss://127.0.0.1:8884/mqtt */
  url: string;
  /** Stops accepting; resolves once every connection it accepted has closed. */
  close(): Promise<void>;
}

/** Aedes's `handle`, wrapped by the central with the security guard. */
export type Handle = (stream: Duplex, request?: IncomingMessage) => void;

export interface Bind {
  host: string;
  /** 0 takes a free port. */
  port: number;
}

export function listen(server: Server, { host, port }: Bind): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function urlOf(scheme: Scheme, server: Server, path = ''): string {
  const address = server.address() as AddressInfo;
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}${path}`;
}

/**
 * Closes the server and whatever connections are still open on it (the broker has closed its
 * clients by then; what is left is a TLS handshake or a WebSocket upgrade in progress).
 */
export function closer(server: Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return () =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
}
