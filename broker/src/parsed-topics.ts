/**
 * parseTopic (protocol/src/topics.ts), remembered. The broker's thread asked it up to four times
 * for each message (the topic ACL, the quotas, the ingest, the e-stop board), splitting the topic
 * anew each time, for the few topics each gateway publishes again and again. Up to MAX_TOPICS are
 * kept; past that the memory starts over, so a client inventing topics cannot grow it. The parsed
 * topics are frozen: every caller shares them.
 */
import { parseTopic, type ParsedTopic } from '@stemlab/protocol';

const MAX_TOPICS = 20_000;
const known = new Map<string, ParsedTopic | null>();

/** parseTopic(topic), from memory when this topic was parsed before. */
export function parsedTopic(topic: string): ParsedTopic | undefined {
  let parsed = known.get(topic);
  if (parsed === undefined) {
    if (known.size >= MAX_TOPICS) known.clear();
    parsed = parseTopic(topic) ?? null;
    if (parsed) Object.freeze(parsed);
    known.set(topic, parsed);
  }
  return parsed ?? undefined;
}
