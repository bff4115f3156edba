import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** bin/stemlab.js, as a technician runs it. */
export const stemlabBin = fileURLToPath(new URL('../bin/stemlab.js', import.meta.url));

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
