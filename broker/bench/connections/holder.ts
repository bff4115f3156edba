/**
 * A child process of the `broker` bench that holds MQTT connections: raw sockets speaking just
 * CONNECT and PINGREQ (mqtt-packet), so that thousands cost the client side little and the
 * figure measured is the broker's. Run as `node --import tsx holder.ts HOST PORT COUNT PREFIX`;
 * reports over IPC: {connected, failed, ms} when every CONNACK is in, {pongs} after 'ping'.
 * One process per 5,000 sockets: the fd limit is per process.
 */
import net from 'node:net';
import mqttPacket from 'mqtt-packet';

const [host = '127.0.0.1', portText = '1883', countText = '1000', prefix = 'bench'] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
/** CONNECTs in flight at once: a fleet after a power cut, not a SYN flood. */
const PARALLEL = 200;

const sockets: net.Socket[] = [];
let connected = 0;
let failed = 0;
let pongs = 0;
let onPong: (() => void) | undefined;

function connectOne(i: number): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      if (ok) connected++;
      else failed++;
      resolve();
    };
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connack') settle(packet.returnCode === 0);
      else if (packet.cmd === 'pingresp') {
        pongs++;
        onPong?.();
      }
    });
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', () => settle(false));
    socket.on('close', () => settle(false));
    socket.on('connect', () => {
      // Gateway-shaped client ids: the central looks each up (anonymous, but not a provisioned id).
      socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: `gw:${prefix}:g-${i}`, keepalive: 300 }));
    });
    sockets.push(socket);
  });
}

async function main(): Promise<void> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < count) await connectOne(next++);
    }),
  );
  process.send?.({ connected, failed, ms: performance.now() - t0 });
}

process.on('message', (message) => {
  if (message === 'ping') {
    const expected = pongs + connected;
    const ping = mqttPacket.generate({ cmd: 'pingreq' });
    const timer = setTimeout(() => process.send?.({ pongs }), 15_000);
    onPong = () => {
      if (pongs < expected) return;
      clearTimeout(timer);
      process.send?.({ pongs });
    };
    for (const s of sockets) if (!s.destroyed) s.write(ping);
  } else if (message === 'close') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

await main();
