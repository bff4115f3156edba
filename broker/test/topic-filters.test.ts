/** Topic filters against topics and each other (security/topic-filters.ts), and the rights built on them. */
import { describe, expect, it } from 'vitest';
import { filterCovers, filtersOverlap, isValidFilter, topicMatches } from '../src/security/topic-filters.ts';
import { maySubscribe, mayPublish, personRights } from '../src/security/rights.ts';

describe('topic filters', () => {
  it('matches topics as MQTT does, $ topics out of reach of first-level wildcards', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    expect(topicMatches('a/+', 'a')).toBe(false);
    expect(topicMatches('#', '$SYS/x')).toBe(false);
    expect(topicMatches('+/x', '$SYS/x')).toBe(false);
    expect(topicMatches('$SYS/#', '$SYS/x')).toBe(true);
  });

  it('matches as the split-by-level definition does, for every filter and topic of a small alphabet', () => {
    // The definition topicMatches walks without splitting (security/topic-filters.ts).
    const reference = (filter: string, topic: string) => {
      const f = filter.split('/');
      const t = topic.split('/');
      if ((f[0] === '+' || f[0] === '#') && t[0]!.startsWith('$')) return false;
      for (let i = 0; i < f.length; i++) {
        if (f[i] === '#') return true;
        if (i >= t.length) return false;
        if (f[i] !== '+' && f[i] !== t[i]) return false;
      }
      return f.length === t.length;
    };
    const levels = ['', 'a', 'b', 'ab', '$S'];
    const joined = (parts: string[], n: number): string[] => (n === 0 ? [''] : joined(parts, n - 1).flatMap((p) => parts.map((l) => (p === '' && n === 1 ? l : `${p}/${l}`))));
    const topicsOf = [1, 2, 3].flatMap((n) => joined(levels, n));
    const filters = [1, 2, 3].flatMap((n) => joined([...levels, '+', '#'], n));
    let compared = 0;
    for (const filter of filters) {
      for (const topic of topicsOf) {
        expect([filter, topic, topicMatches(filter, topic)]).toEqual([filter, topic, reference(filter, topic)]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  it('says when one filter covers every topic of another', () => {
    expect(filterCovers('#', 'a/+/c')).toBe(true);
    expect(filterCovers('a/#', 'a')).toBe(true);
    expect(filterCovers('a/#', 'a/#')).toBe(true);
    expect(filterCovers('a/+/#', 'a/b/c/#')).toBe(true);
    expect(filterCovers('a/+', 'a/#')).toBe(false);
    expect(filterCovers('a/b', 'a/b/#')).toBe(false);
    expect(filterCovers('a/b', 'a/+')).toBe(false);
    expect(filterCovers('a/+/c', 'a/b/c')).toBe(true);
    expect(filterCovers('#', '$SYS/#')).toBe(false);
  });

  it('says when two filters can match one topic', () => {
    expect(filtersOverlap('#', 'a/b')).toBe(true);
    expect(filtersOverlap('a/+/c', 'a/b/+')).toBe(true);
    expect(filtersOverlap('a/b', 'a/c')).toBe(false);
    expect(filtersOverlap('a', 'a/#')).toBe(true);
    expect(filtersOverlap('a/+', 'a')).toBe(false);
    expect(filtersOverlap('stemlab/v1/+/+/usage', 'stemlab/v1/u/g/state')).toBe(false);
    expect(filtersOverlap('#', '$SYS/x')).toBe(false);
  });

  it('tells well-formed filters from the others', () => {
    for (const f of ['#', 'a/#', '+/+', 'stemlab/v1/+/+/cmd/+']) expect(isValidFilter(f)).toBe(true);
    for (const f of ['', 'a/#/b', 'a#', 'a/b+', '#/a']) expect(isValidFilter(f)).toBe(false);
  });
});

describe("people's rights", () => {
  it("gives a teacher or technician their unit's commands and topics, the department reading only", () => {
    const teacher = personRights('teacher', 'u1');
    expect(mayPublish(teacher, 'stemlab/v1/u1/g1/cmd/estop')).toBe(true);
    expect(mayPublish(teacher, 'stemlab/v1/u2/g1/cmd/estop')).toBe(false);
    expect(mayPublish(teacher, 'stemlab/v1/u1/g1/cmd/estop/reply')).toBe(false);
    expect(mayPublish(teacher, 'stemlab/v1/u1/g1/state')).toBe(false);
    expect(maySubscribe(teacher, 'stemlab/v1/u1/+/state')).toBe(true);
    expect(maySubscribe(teacher, 'stemlab/v1/+/+/state')).toBe(false);
    expect(maySubscribe(personRights('technician', 'u2'), 'stemlab/v1/u2/#')).toBe(true);
    for (const role of ['viewer', 'admin'] as const) {
      const dept = personRights(role, null);
      expect(mayPublish(dept, 'stemlab/v1/u1/g1/cmd/estop')).toBe(false);
      expect(maySubscribe(dept, 'stemlab/v1/#')).toBe(true);
      expect(maySubscribe(dept, '#')).toBe(false);
    }
  });
});
