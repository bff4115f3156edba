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
 * clients (only with `security.allowAnonymous`, a closed lab network) get `security.anonymous`.
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
}

/**
 * `undefined` rights are an anonymous client's when `security.anonymous` is left out: every topic,
 * `$` ones included, as anonymous clients always had, so a closed lab network that relies on them
 * keeps working. central.yaml can narrow them, e.g. deny `stemlab/v1/+/+/cmd/+` so that commands
 * need a log-in.
 */
export function mayPublish(rights: Rights | undefined, topic: string): boolean {
  if (!rights) return true;
  const { allow, deny } = rights.publish;
  return allow.some((f) => topicMatches(f, topic)) && !deny.some((f) => topicMatches(f, topic));
}

export function maySubscribe(rights: Rights | undefined, filter: string): boolean {
  if (!rights) return true;
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
