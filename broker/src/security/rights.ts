/**
 * What a person or an anonymous client may publish and subscribe to on the broker, as topic
 * filters (topic-filters.ts). Gateways have rules of their own (topic-acl.ts: their own topics of
 * the contract).
 *
 * People log in with their account of the central (api/users.ts), and their role sets their rights:
 *
 * | role | publishes | subscribes |
 * |---|---|---|
 * | teacher, technician of unit U | commands to U's gateways: `stemlab/v1/U/+/cmd/+` | U's topics: `stemlab/v1/U/#` |
 * | viewer, admin (the department) | nothing | every unit: `stemlab/v1/#` |
 *
 * A command is never retained (it would run again at every reconnect of its gateway). Anonymous
 * clients (only with `security.allowAnonymous`, a closed lab network) get `security.anonymous`,
 * and without it DEFAULT_ANONYMOUS_RIGHTS: read everything, write nothing of the fleet's.
 */
import { TOPIC_ROOT } from '@stemlab/protocol';
import type { Role } from '../api/users.ts';
import { filterCovers, filtersOverlap, topicMatches } from './topic-filters.ts';

export interface FilterRule {
  /** Filters allowed (a topic must match one; a subscription must be covered by one). */
  allow: readonly string[];
  /** Filters denied, over `allow` (a topic matching one is refused; a subscription overlapping one is refused). */
  deny: readonly string[];
}

export interface Rights {
  publish: FilterRule;
  subscribe: FilterRule;
  /**
   * May the client's publishes be retained? Without it a retained publish is delivered but not
   * kept (counted as retain-not-allowed). People never may: a retained command runs again at each
   * reconnect of its gateway. Left out: no.
   */
  retain?: boolean;
}

/**
 * An anonymous client's rights when `security.anonymous` is left out. Anyone who reaches the port
 * of a closed lab network gets them, a student's laptop included, so: no command to any gateway
 * (an e-stop reset of another room), nothing on a gateway's topics (a forged usage event, state or
 * reading), nothing retained (a retained message outlives the client and fills the disk). What a
 * classroom display needs stays open: subscribing to every topic, `$SYS` included, as before.
 * Publishing off the fleet's tree (`stemlab/v1/…`) is allowed, for a class's own MQTT exercises.
 * Gateways without credentials need `security.anonymous` to allow their topics (ANONYMOUS_GATEWAYS).
 */
export const DEFAULT_ANONYMOUS_RIGHTS: Rights = Object.freeze({
  publish: { allow: ['#'], deny: [`${TOPIC_ROOT}/#`] },
  subscribe: { allow: ['#', '$SYS/#'], deny: [] },
  retain: false,
});

/**
 * For a lab whose gateways connect without credentials (`stemlab sim-fleet --anonymous`): the
 * gateways' topics and retained state, but commands still need a person's log-in.
 */
export const ANONYMOUS_GATEWAYS: Rights = Object.freeze({
  publish: { allow: ['#'], deny: [`${TOPIC_ROOT}/+/+/cmd/+`] },
  subscribe: { allow: ['#', '$SYS/#'], deny: [] },
  retain: true,
});

export function mayPublish(rights: Rights, topic: string): boolean {
  const { allow, deny } = rights.publish;
  return allow.some((f) => topicMatches(f, topic)) && !deny.some((f) => topicMatches(f, topic));
}

export function maySubscribe(rights: Rights, filter: string): boolean {
  const { allow, deny } = rights.subscribe;
  return allow.some((f) => filterCovers(f, filter)) && !deny.some((f) => filtersOverlap(f, filter));
}

/** A person's rights on the broker, from the role and unit of their account (the table above). */
export function personRights(role: Role, unit: string | null): Rights {
  if ((role === 'teacher' || role === 'technician') && unit) {
    return {
      publish: { allow: [`${TOPIC_ROOT}/${unit}/+/cmd/+`], deny: [] },
      subscribe: { allow: [`${TOPIC_ROOT}/${unit}/#`], deny: [] },
    };
  }
  if (role === 'viewer' || role === 'admin') return { publish: { allow: [], deny: [] }, subscribe: { allow: [`${TOPIC_ROOT}/#`], deny: [] } };
  // A teacher or technician without a unit cannot exist (users.ts refuses it); if one did, no rights.
  return { publish: { allow: [], deny: [] }, subscribe: { allow: [], deny: [] } };
}
