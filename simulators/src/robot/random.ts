/**
 * Seeded noise without a shared sequence: each value is a hash of (seed, stream, counter), so
 * the same seed gives the same run whatever order sensors are read in, and reading a sensor more
 * or less often (a faster view, a slower lesson) changes nothing else.
 */

/** A 32-bit hash of integers (murmur3's finaliser over each word). */
export function hash32(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const word of words) {
    let k = Math.imul(word | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in (0, 1). */
export function uniform(...words: number[]): number {
  return (hash32(...words) + 0.5) / 4294967296;
}

/** A standard normal number (Box–Muller over two hashes). */
export function gaussian(...words: number[]): number {
  const u = uniform(...words, 1);
  const v = uniform(...words, 2);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A stable number for a name (a robot's id, a sensor's), to use as a hash word. */
export function nameWord(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
