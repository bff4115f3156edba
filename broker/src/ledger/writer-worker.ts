/**
 * The ledger's writer thread (batch-writer.ts says why): owns the SQLite connection that writes,
 * opened like the main one (WAL, synchronous = FULL: a commit is on disk before it is reported),
 * and answers each request in the order it came.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeBatch, type WriterData, type WriterReply, type WriterRequest } from './batch-writer.ts';
import { SqliteDriver } from './sqlite-driver.ts';
import { LedgerWriter } from './writer.ts';

const data = workerData as WriterData;
const port = parentPort;
if (!port) throw new Error('writer-worker.ts runs as a worker thread (batch-writer.ts starts it)');
const sql = SqliteDriver.open(data.file, { busyTimeoutMs: data.busyTimeoutMs });
const writer = new LedgerWriter(data.run);

async function handle(request: WriterRequest): Promise<unknown> {
  switch (request.op) {
    case 'insert':
      return writer.insertBatch(sql, decodeBatch(request.batch));
    case 'end':
      return writer.endPresence(sql, request.at);
    case 'pragma':
      return sql.db.pragma(request.name, { simple: true });
    case 'run':
      return (await sql.run(request.statement, request.params)).changes;
    case 'close':
      await sql.close();
      return undefined;
  }
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (request: WriterRequest) => {
  queue = queue.then(async () => {
    let reply: WriterReply;
    try {
      reply = { id: request.id, result: await handle(request) };
    } catch (err) {
      const e = err as { message?: string; code?: unknown; name?: string };
      reply = { id: request.id, error: { message: e.message ?? String(err), code: typeof e.code === 'string' ? e.code : undefined, name: e.name } };
    }
    port.postMessage(reply);
  });
});
