/**
 * On every CONNECT, Aedes 1.2 streams the client's offline queue to it through `stream.pipeline`
 * (lib/handlers/connect.js emptyQueue: `pipeline(persistence.outgoingStream(client),
 * through(clearQueue), done)`), and only then is the CONNECT done. For a client with nothing
 * queued (every clean gateway: stored-clients.ts knows it without asking LevelDB) that pipeline
 * moves nothing, but it costs an AbortController, a DOMException with its stack trace (pipeline
 * aborts its controller when it finishes), end-of-stream watches on both streams and several
 * ticks: ≈20–40 µs of CPU per CONNECT on Node 20 (measured alone), ≈5 % of a reconnect storm.
 *
 * The queue stream of such a client is a `NothingQueued` (an ended Readable, so anything else
 * reading it gets the same nothing), and `stream.pipeline` is wrapped once per process so that a
 * pipeline from a NothingQueued to one stream calls its callback on the next tick, with no error,
 * as pipeline would once the empty stream had ended, and returns the destination as pipeline
 * does. Every other call goes to Node's pipeline untouched (same arguments, same `this`, its
 * properties such as util.promisify.custom copied). Aedes imports `pipeline` from 'stream' as
 * an ES module binding, which `syncBuiltinESMExports` updates. The transform Aedes made for the
 * pipeline is left unused (nothing was written to it). test/empty-queue.test.ts checks Aedes's
 * source still has this shape and that a queue with messages still goes through the real pipeline.
 */
import stream, { Readable } from 'node:stream';
import { syncBuiltinESMExports } from 'node:module';

/** The outgoing queue of a client with nothing queued: an ended stream of no packets. */
export class NothingQueued extends Readable {
  constructor() {
    super({ objectMode: true, read() {} });
    this.push(null);
  }
}

let shortened = 0;

/** Pipelines short-cut so far (for tests and benchmarks). */
export function emptyPipelinesSkipped(): number {
  return shortened;
}

type Pipeline = (...args: unknown[]) => unknown;
let installed = false;

/** Once per process: a pipeline from a NothingQueued into one stream ends at once (see above). */
export function skipEmptyQueuePipelines(): void {
  if (installed) return;
  installed = true;
  const original = stream.pipeline as unknown as Pipeline;
  const pipeline = function pipeline(this: unknown, ...args: unknown[]): unknown {
    if (args.length === 3 && args[0] instanceof NothingQueued && typeof args[2] === 'function') {
      shortened++;
      process.nextTick(args[2] as () => void);
      return args[1];
    }
    return Reflect.apply(original, this, args);
  };
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    Object.defineProperty(pipeline, key, Object.getOwnPropertyDescriptor(original, key)!);
  }
  (stream as unknown as { pipeline: Pipeline }).pipeline = pipeline;
  syncBuiltinESMExports();
}
