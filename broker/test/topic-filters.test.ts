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
