/**
 * MQTT topic filters compared with topic names and with each other, for the rights of people and
 * of anonymous clients (rights.ts). Three questions:
 *
 * - `topicMatches(filter, topic)`: does a publish on `topic` fall under `filter`?
 * - `filterCovers(outer, inner)`: is every topic `inner` can match also matched by `outer`? A
 *   subscription is granted only when an allowed filter covers it, else it could read more.
 * - `filtersOverlap(a, b)`: could one topic match both? A subscription that overlaps a denied
 *   filter is refused whole (MQTT grants a filter or not, never a part of it).
 *
 * `+` is one level, `#` the rest (and the parent level itself: `a/#` matches `a`) [MQTT-4.7.1-2].
 * Wildcards at the first level do not match topics starting with `$` [MQTT-4.7.2-1].
 */

/** A well-formed filter: `#` only last and alone in its level, `+` alone in its level [MQTT-4.7.1-2, MQTT-4.7.1-3]. */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0) return false;
  const levels = filter.split('/');
  return levels.every((level, i) => (level.includes('#') ? level === '#' && i === levels.length - 1 : !level.includes('+') || level === '+'));
}

const isWild = (level: string | undefined) => level === '+' || level === '#';
/** A `$` topic (or filter starting with a literal `$` level) is out of reach of a first-level wildcard. */
const dollar = (level: string | undefined) => level !== undefined && level.startsWith('$');

/**
 * Walks both strings level by level without splitting them: it runs for every publish of a person
 * or an anonymous client, against each filter of their rights, on the broker's thread.
 */
export function topicMatches(filter: string, topic: string): boolean {
  let f = 0; // start of the filter's current level
  let t = 0; // start of the topic's current level; topic.length + 1 once its levels are used up
  for (let level = 0; ; level++) {
    const fEnd = levelEnd(filter, f);
    const fLength = fEnd - f;
    const wild = fLength === 1 && (filter.charCodeAt(f) === HASH || filter.charCodeAt(f) === PLUS);
    // [MQTT-4.7.2-1] a wildcard first level does not match a topic starting with `$`.
    if (level === 0 && wild && topic.charCodeAt(0) === DOLLAR) return false;
    if (wild && filter.charCodeAt(f) === HASH) return true;
    if (t > topic.length) return false;
    const tEnd = levelEnd(topic, t);
    if (!wild && (tEnd - t !== fLength || !sameChars(filter, f, topic, t, fLength))) return false;
    t = tEnd + 1;
    if (fEnd === filter.length) return t > topic.length; // both used up: the same number of levels
    f = fEnd + 1;
  }
}

const HASH = 35; // #
const PLUS = 43; // +
const DOLLAR = 36; // $
const sameChars = (a: string, aFrom: number, b: string, bFrom: number, length: number) => {
  for (let i = 0; i < length; i++) if (a.charCodeAt(aFrom + i) !== b.charCodeAt(bFrom + i)) return false;
  return true;
};
const levelEnd = (s: string, from: number) => {
  const slash = s.indexOf('/', from);
  return slash === -1 ? s.length : slash;
};

export function filterCovers(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const n = inner.split('/');
  if (isWild(o[0]) && dollar(n[0])) return false;
  for (let i = 0; i < o.length; i++) {
    if (o[i] === '#') return true;
    if (i >= n.length) return false;
    if (n[i] === '#') return false; // only a `#` covers a `#`
    if (o[i] === '+') continue;
    if (n[i] === '+' || o[i] !== n[i]) return false;
  }
  // A longer `inner` reaches topics below where `outer` (with no `#` at its end) stops.
  return n.length === o.length;
}

export function filtersOverlap(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  if ((isWild(x[0]) && dollar(y[0])) || (isWild(y[0]) && dollar(x[0]))) return false;
  for (let i = 0; ; i++) {
    const p = x[i];
    const q = y[i];
    if (p === '#' || q === '#') return true;
    if (p === undefined || q === undefined) return p === q;
    if (p !== '+' && q !== '+' && p !== q) return false;
  }
}
