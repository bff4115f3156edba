/**
 * One socket write per event-loop turn for each connection, instead of one per packet.
 *
 * Aedes delivers every message to a subscriber in a setImmediate of its own (lib/client.js
 * deliver0, deliverQoS), and mqtt-packet writes each packet corked until the next tick
 * (writeToStream.js: cork(), nextTick(uncork)). Node runs the ticks between two immediates, so a
 * subscriber receiving 10,000 messages got 10,000 writev system calls: measured 10–15 % of the
 * central's main thread under the broker bench. Here the first cork of a turn adds one cork of
 * its own, released by a setImmediate: every packet written to the connection until then (the
 * rest of this turn's immediates, the PUBACKs of a commit) leaves in one writev.
 *
 * What does not change: the order of the bytes, back-pressure (write() still returns false past
 * the high-water mark, and Aedes waits for 'drain', which comes once this turn's bytes are
 * written), and end()/destroy() (end() flushes whatever is corked). The delay is at most the
 * rest of the current loop iteration.
 */
import type { Writable } from 'node:stream';

export function batchWrites(stream: Writable): void {
  const cork = stream.cork.bind(stream);
  let held = false;
  const release = () => {
    held = false;
    stream.uncork();
  };
  stream.cork = () => {
    if (!held) {
      held = true;
      cork();
      setImmediate(release);
    }
    cork();
  };
}
