/**
 * The MQTT channels as data: each topic with who publishes it, its QoS, whether it is retained
 * and its payload schema. docs/mqtt.md and docs/mqtt.asyncapi.json are generated from this
 * (protocol/src/mqtt-docs.ts, `npm run docs`); topics.ts builds and parses the same topics.
 */
import type { z } from 'zod';
import { commandReplySchema, commandRequestSchema, gatewayStateSchema, kitStateSchema, telemetrySchema, usageEventSchema } from './messages.ts';

export interface Channel {
  /** The AsyncAPI id, as topics.ts names the builder. */
  id: string;
  /** The topic with its {parameters}. */
  address: string;
  publisher: string;
  /** What the gateway does with it. */
  gateway: 'send' | 'receive';
  qos: 0 | 1;
  retained: boolean;
  summary: string;
  payload: z.ZodType;
}

export const channels: readonly Channel[] = [
  {
    id: 'gatewayState',
    address: 'stemlab/v1/{unit}/{gateway}/state',
    publisher: 'the gateway (birth); the broker (the will, when the gateway is gone)',
    gateway: 'send',
    qos: 1,
    retained: true,
    summary: 'The gateway is `online` (its birth) or `offline` (its will, the same bdSeq as the birth it ends; Sparkplug\'s idea).',
    payload: gatewayStateSchema,
  },
  {
    id: 'kitState',
    address: 'stemlab/v1/{unit}/{gateway}/kit/{kit}/state',
    publisher: 'the gateway',
    gateway: 'send',
    qos: 1,
    retained: true,
    summary: "Each kit's link: `connected`, `disconnected` or `fault` (with the reason).",
    payload: kitStateSchema,
  },
  {
    id: 'usage',
    address: 'stemlab/v1/{unit}/{gateway}/usage',
    publisher: 'the gateway',
    gateway: 'send',
    qos: 1,
    retained: false,
    summary:
      'Usage events: a session of one device starts or ends, or the outbox had to drop events. Each has a unique event id (stored once, however often delivered) and a per-gateway sequence number from 1 without gaps.',
    payload: usageEventSchema,
  },
  {
    id: 'telemetry',
    address: 'stemlab/v1/{unit}/{gateway}/telemetry/{kit}/{component}',
    publisher: 'the gateway',
    gateway: 'send',
    qos: 0,
    retained: false,
    summary: "A sensor reading of one component (the device is written kit/component, so `telemetry/robot-1/#` selects one kit).",
    payload: telemetrySchema,
  },
  {
    id: 'command',
    address: 'stemlab/v1/{unit}/{gateway}/cmd/{name}',
    publisher: 'the central, teacher tools (`stemlab lesson deploy`)',
    gateway: 'receive',
    qos: 1,
    retained: false,
    summary: 'A command to the gateway, with a request id its reply repeats; the arguments of each command are below.',
    payload: commandRequestSchema,
  },
  {
    id: 'reply',
    address: 'stemlab/v1/{unit}/{gateway}/cmd/{name}/reply',
    publisher: 'the gateway',
    gateway: 'send',
    qos: 1,
    retained: false,
    summary: "The command's result (`ok` with a result, or `error` with a code and a message), with the same request id.",
    payload: commandReplySchema,
  },
];

/** What each topic parameter is. */
export const channelParameters: Readonly<Record<string, string>> = {
  unit: "The school unit, e.g. 'thcs-q1-01' (an id: lowercase letters, digits and '-').",
  gateway: "The gateway within the unit, e.g. 'robot-club-1'.",
  kit: "A kit on the gateway, e.g. 'robot-1'.",
  component: "A component of the kit, e.g. 'sonar'.",
  name: 'The command, e.g. estop, session-start, lesson-deploy.',
};
