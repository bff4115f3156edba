/**
 * Resolves or rejects as `promise` does, or rejects after `ms` naming what did not happen: a
 * test's own timeout says only that the test took too long, not which step it waited on.
 */
export function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
