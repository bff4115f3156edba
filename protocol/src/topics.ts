/**
 * The MQTT topics (docs/mqtt.md, generated from channels.ts), built and parsed in one place. Ids are slugs (the
 * config schemas enforce it), so they never contain `/`, `+` or `#`.
 *
 * stemlab/v1/{unit}/{gateway}/state                      gateway birth / will (retained)
 * stemlab/v1/{unit}/{gateway}/kit/{kit}/state            a kit's link (retained)
 * stemlab/v1/{unit}/{gateway}/usage                      usage events (QoS 1)
 * stemlab/v1/{unit}/{gateway}/telemetry/{kit}/{component} sensor readings (QoS 0)
 * stemlab/v1/{unit}/{gateway}/cmd/{name}                 a command to the gateway (QoS 1)
 * stemlab/v1/{unit}/{gateway}/cmd/{name}/reply           its reply (QoS 1)
 *
 * The contract names telemetry's last part {device}; a device is a kit's component, written
 * as the two segments kit/component so that `telemetry/robot-1/#` selects one kit.
 */
import { isId } from './ids.ts';

export const TOPIC_ROOT = 'stemlab/v1';

export const topics = {
  gatewayState: (unit: string, gateway: string) => `${TOPIC_ROOT}/${unit}/${gateway}/state`,
  kitState: (unit: string, gateway: string, kit: string) => `${TOPIC_ROOT}/${unit}/${gateway}/kit/${kit}/state`,
  usage: (unit: string, gateway: string) => `${TOPIC_ROOT}/${unit}/${gateway}/usage`,
  telemetry: (unit: string, gateway: string, kit: string, component: string) => `${TOPIC_ROOT}/${unit}/${gateway}/telemetry/${kit}/${component}`,
  command: (unit: string, gateway: string, name: string) => `${TOPIC_ROOT}/${unit}/${gateway}/cmd/${name}`,
  reply: (unit: string, gateway: string, name: string) => `${TOPIC_ROOT}/${unit}/${gateway}/cmd/${name}/reply`,
  /** What a gateway subscribes to: its own commands only. */
  commands: (unit: string, gateway: string) => `${TOPIC_ROOT}/${unit}/${gateway}/cmd/+`,
  /** Everything every gateway publishes, for the ingest. */
  allGateways: `${TOPIC_ROOT}/+/+/#`,
} as const;

export type ParsedTopic =
  | { kind: 'gateway-state'; unit: string; gateway: string }
  | { kind: 'kit-state'; unit: string; gateway: string; kit: string }
  | { kind: 'usage'; unit: string; gateway: string }
  | { kind: 'telemetry'; unit: string; gateway: string; kit: string; component: string }
  | { kind: 'command'; unit: string; gateway: string; name: string }
  | { kind: 'reply'; unit: string; gateway: string; name: string };

/** What a topic is, or undefined for a topic outside the contract. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'stemlab' || parts[1] !== 'v1' || parts.length < 5) return undefined;
  const [unit, gateway, kind, ...rest] = parts.slice(2) as [string, string, string, ...string[]];
  if (!unit || !gateway) return undefined;
  switch (kind) {
    case 'state':
      return rest.length === 0 ? { kind: 'gateway-state', unit, gateway } : undefined;
    case 'kit':
      return rest.length === 2 && rest[1] === 'state' && rest[0] ? { kind: 'kit-state', unit, gateway, kit: rest[0] } : undefined;
    case 'usage':
      return rest.length === 0 ? { kind: 'usage', unit, gateway } : undefined;
    case 'telemetry':
      return rest.length === 2 && rest[0] && rest[1] ? { kind: 'telemetry', unit, gateway, kit: rest[0], component: rest[1] } : undefined;
    case 'cmd':
      if (rest.length === 1 && rest[0]) return { kind: 'command', unit, gateway, name: rest[0] };
      if (rest.length === 2 && rest[0] && rest[1] === 'reply') return { kind: 'reply', unit, gateway, name: rest[0] };
      return undefined;
    default:
      return undefined;
  }
}

export interface GatewayId {
  unit: string;
  gateway: string;
}

/**
 * The MQTT client id of a gateway, `gw:{unit}:{gateway}`: the broker knows which gateway a
 * connection is (for presence) from the id alone, before it publishes anything.
 */
export function gatewayClientId(unit: string, gateway: string): string {
  return `gw:${unit}:${gateway}`;
}

export function parseGatewayClientId(clientId: string): GatewayId | undefined {
  const [prefix, unit, gateway, ...rest] = clientId.split(':');
  if (prefix !== 'gw' || rest.length > 0 || unit === undefined || gateway === undefined) return undefined;
  return isId(unit) && isId(gateway) ? { unit, gateway } : undefined;
}
