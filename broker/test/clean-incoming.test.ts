/**
 * A refused CONNECT leaves the broker state alone (state/clean-incoming.ts): Aedes clears a
 * clean-session client's stored incoming QoS 2 packets by client id when its connection closes,
 * also for a CONNECT refused before it logged in, so a wrong password under a gateway's client id
 * wiped that gateway's QoS 2 publishes in flight (and cost a LevelDB range delete per refused
 * connection under a flood). Real central, LevelDB state, real MQTT clients.
 */
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { provisionGatewayCommand } from '../src/index.ts';
import { startTestCentral, UNIT, GATEWAY, type TestCentral } from './helpers.ts';

let central: TestCentral;
afterEach(async () => central?.cleanup());

interface Incoming {
  incomingStorePacket(client: { id: string }, packet: object): Promise<void>;
  incomingGetPacket(client: { id: string }, packet: { messageId: number }): Promise<unknown>;
}

describe('a refused CONNECT', () => {
  it("does not clear the incoming QoS 2 state of the client id it named; a logged-in client's own end still does", async () => {
    central = await startTestCentral({ security: { allowAnonymous: false } });
    const creds = await provisionGatewayCommand(central.dataDir, UNIT, GATEWAY);
    const persistence = (central.broker as unknown as { persistence: Incoming }).persistence;
    const packet = { cmd: 'publish', topic: `stemlab/v1/${UNIT}/${GATEWAY}/usage`, payload: Buffer.from('{}'), qos: 2, retain: false, dup: false, messageId: 7 };
    await persistence.incomingStorePacket({ id: creds.username }, packet);

    const refused = await mqtt.connectAsync(central.mqttUrl, { clientId: creds.username, username: creds.username, password: 'wrong', reconnectPeriod: 0 }).then(
      () => undefined,
      (err: unknown) => (err as { code?: number }).code,
    );
    expect(refused).toBe(4);
    // The refused client's teardown has run once the next connection is handled.
    const gw = await mqtt.connectAsync(central.mqttUrl, { clientId: 'someone-else', username: creds.username, password: creds.password, reconnectPeriod: 0 }).catch(() => undefined);
    await gw?.endAsync();
    expect(await persistence.incomingGetPacket({ id: creds.username }, { messageId: 7 })).toMatchObject({ messageId: 7 });

    // The gateway itself, logged in with a clean session: its end clears its incoming state, as Aedes means to.
    const own = await mqtt.connectAsync(central.mqttUrl, { clientId: creds.username, username: creds.username, password: creds.password, reconnectPeriod: 0 });
    await own.endAsync();
    await expect.poll(() => persistence.incomingGetPacket({ id: creds.username }, { messageId: 7 }).then(() => 'kept', () => 'cleared')).toBe('cleared');
  });
});
