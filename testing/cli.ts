import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** bin/stemlab.js, as a technician runs it. */
export const stemlabBin = fileURLToPath(new URL('../bin/stemlab.js', import.meta.url));

/**
 * The Node flags bin/stemlab.js launches with (its `#!/usr/bin/env -S node FLAGS...` line): a
 * bench that starts a central in a child process of its own gives it these, to measure the central
 * as `stemlab central` runs.
 */
export function stemlabNodeFlags(): string[] {
  const shebang = readFileSync(stemlabBin, 'utf8').split('\n', 1)[0] ?? '';
  const words = shebang.replace(/^#!/, '').trim().split(/\s+/);
  return words.slice(words.indexOf('node') + 1);
}

/** Run `stemlab ARGS...` to completion, collecting its output and exit code. */
export function runStemlab(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [stemlabBin, ...args], env ? { env: { ...process.env, ...env } } : {});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
