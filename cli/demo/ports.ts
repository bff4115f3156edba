import { createServer } from 'node:net';

/** The preferred port if it is free on host, else 0 (any free port); says which. */
export async function portOrFree(host: string, preferred: number): Promise<{ port: number; taken: boolean }> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(preferred, host, () => probe.close(() => resolve(true)));
  });
  return free ? { port: preferred, taken: false } : { port: 0, taken: true };
}
