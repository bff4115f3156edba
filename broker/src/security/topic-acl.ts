/**
 * What a gateway may publish and subscribe to: its own `stemlab/v1/{unit}/{gateway}/` and only
 * the contract's topics (state, kit/+/state, usage, telemetry/+/+, cmd/+/reply) for publishing;
 * its own commands for subscribing. A refused publish goes to DROP_TOPIC (policy.ts says why).
 */
import { TOPIC_ROOT, type GatewayId } from '@stemlab/protocol';
import { parsedTopic } from '../parsed-topics.ts';

/** Where dropped publishes go: a `$` topic no client can subscribe to. */
export const DROP_TOPIC = '$stemlab/dropped';

/** `$stemlab/…`: the broker's own topics, which no client may publish or subscribe to. */
export function isReservedTopic(topic: string): boolean {
  return topic.startsWith('$stemlab/');
}

/** Why a gateway may not publish on `topic`, or undefined if it may. */
export function gatewayPublishRefusal(gateway: GatewayId, topic: string): 'publish-foreign' | 'publish-not-allowed' | undefined {
  const parsed = parsedTopic(topic);
  if (!parsed) {
    const own = `${TOPIC_ROOT}/${gateway.unit}/${gateway.gateway}/`;
    return topic.startsWith(`${TOPIC_ROOT}/`) && !topic.startsWith(own) ? 'publish-foreign' : 'publish-not-allowed';
  }
  if (parsed.unit !== gateway.unit || parsed.gateway !== gateway.gateway) return 'publish-foreign';
  // A gateway answers commands; it does not send them.
  return parsed.kind === 'command' ? 'publish-not-allowed' : undefined;
}

/** A gateway may read its own commands: cmd/+, cmd/# or cmd/{name}. */
export function gatewayMaySubscribe(gateway: GatewayId, filter: string): boolean {
  const prefix = `${TOPIC_ROOT}/${gateway.unit}/${gateway.gateway}/cmd/`;
  if (!filter.startsWith(prefix)) return false;
  const rest = filter.slice(prefix.length);
  return rest === '+' || rest === '#' || /^[A-Za-z0-9_.-]+$/.test(rest);
}
