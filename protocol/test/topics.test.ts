// The topic builders and the parser are inverses; anything outside the contract parses to undefined.
import { describe, expect, it } from 'vitest';
import { channels, gatewayClientId, parseGatewayClientId, parseTopic, topics, TOPIC_ROOT } from '../src/index.ts';

describe('topics', () => {
  const u = 'thcs-q1-01';
  const g = 'robot-club-1';

  it('builds every topic under stemlab/v1/{unit}/{gateway}', () => {
    expect(topics.gatewayState(u, g)).toBe('stemlab/v1/thcs-q1-01/robot-club-1/state');
    expect(topics.kitState(u, g, 'robot-1')).toBe('stemlab/v1/thcs-q1-01/robot-club-1/kit/robot-1/state');
    expect(topics.usage(u, g)).toBe('stemlab/v1/thcs-q1-01/robot-club-1/usage');
    expect(topics.telemetry(u, g, 'robot-1', 'sonar')).toBe('stemlab/v1/thcs-q1-01/robot-club-1/telemetry/robot-1/sonar');
    expect(topics.command(u, g, 'estop')).toBe('stemlab/v1/thcs-q1-01/robot-club-1/cmd/estop');
    expect(topics.reply(u, g, 'estop')).toBe('stemlab/v1/thcs-q1-01/robot-club-1/cmd/estop/reply');
    expect(topics.commands(u, g)).toBe('stemlab/v1/thcs-q1-01/robot-club-1/cmd/+');
    expect(topics.allGateways).toBe(`${TOPIC_ROOT}/+/+/#`);
  });

  it('parses what it builds', () => {
    expect(parseTopic(topics.gatewayState(u, g))).toEqual({ kind: 'gateway-state', unit: u, gateway: g });
    expect(parseTopic(topics.kitState(u, g, 'k'))).toEqual({ kind: 'kit-state', unit: u, gateway: g, kit: 'k' });
    expect(parseTopic(topics.usage(u, g))).toEqual({ kind: 'usage', unit: u, gateway: g });
    expect(parseTopic(topics.telemetry(u, g, 'k', 'c'))).toEqual({ kind: 'telemetry', unit: u, gateway: g, kit: 'k', component: 'c' });
    expect(parseTopic(topics.command(u, g, 'selftest'))).toEqual({ kind: 'command', unit: u, gateway: g, name: 'selftest' });
    expect(parseTopic(topics.reply(u, g, 'selftest'))).toEqual({ kind: 'reply', unit: u, gateway: g, name: 'selftest' });
  });

  it.each([
    'stemlab/v2/u/g/state',
    'other/v1/u/g/state',
    'stemlab/v1/u/g',
    'stemlab/v1/u/g/state/extra',
    'stemlab/v1/u/g/kit/k',
    'stemlab/v1/u/g/kit/k/other',
    'stemlab/v1/u/g/telemetry/k',
    'stemlab/v1/u/g/telemetry/k/c/d',
    'stemlab/v1/u/g/cmd/x/other',
    'stemlab/v1/u/g/usage/more',
    'stemlab/v1//g/usage',
    'stemlab/v1/u/g/unknown',
  ])('refuses %s', (topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });

  it('names a gateway connection gw:{unit}:{gateway} and reads it back, only for valid ids', () => {
    expect(gatewayClientId(u, g)).toBe('gw:thcs-q1-01:robot-club-1');
    expect(parseGatewayClientId(gatewayClientId(u, g))).toEqual({ unit: u, gateway: g });
    for (const bad of ['gw:thcs-q1-01', 'gw:a:b:c', 'gx:a:b', 'gw:A:b', 'gw:a:-b', 'gw::b', `gw:${'a'.repeat(65)}:b`, 'mqttjs_1234']) {
      expect(parseGatewayClientId(bad), bad).toBeUndefined();
    }
  });

  it('documents (channels.ts, docs/mqtt.md) the very topics it builds', () => {
    const built: Record<string, string> = {
      gatewayState: topics.gatewayState('{unit}', '{gateway}'),
      kitState: topics.kitState('{unit}', '{gateway}', '{kit}'),
      usage: topics.usage('{unit}', '{gateway}'),
      telemetry: topics.telemetry('{unit}', '{gateway}', '{kit}', '{component}'),
      command: topics.command('{unit}', '{gateway}', '{name}'),
      reply: topics.reply('{unit}', '{gateway}', '{name}'),
    };
    expect(Object.fromEntries(channels.map((c) => [c.id, c.address]))).toEqual(built);
  });
});
