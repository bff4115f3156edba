/** central.yaml: the example is valid, defaults fill the gaps, and every error names its field. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CentralConfigError, loadCentralConfig } from '../src/config.ts';
import { tmpDir } from './helpers.ts';

let dir: ReturnType<typeof tmpDir>;
beforeEach(() => (dir = tmpDir()));
afterEach(() => dir.remove());

function write(name: string, text: string): string {
  const file = join(dir.dir, name);
  writeFileSync(file, text);
  return file;
}

describe('loadCentralConfig', () => {
  it('reads the example config', async () => {
    const config = await loadCentralConfig(join(import.meta.dirname, '../examples/central.yaml'));
    expect(config).toEqual({ dataDir: 'data/central', mqtt: { host: '127.0.0.1', port: 1883 }, log: { level: 'info' } });
    expect(Object.isFrozen(config.mqtt)).toBe(true);
  });

  it('fills defaults for what is left out', async () => {
    expect(await loadCentralConfig(write('c.json', '{"mqtt": {"port": 0}}'))).toMatchObject({ dataDir: 'data/central', mqtt: { host: '127.0.0.1', port: 0 } });
  });

  it('names the field of every problem', async () => {
    const file = write('c.yaml', 'mqtt:\n  port: 70000\n  hots: x\nlog: { level: loud }\n');
    const error = await loadCentralConfig(file).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CentralConfigError);
    expect((error as CentralConfigError).code).toBe('CONFIG_INVALID');
    expect((error as CentralConfigError).issues.map((i) => i.path).sort()).toEqual(['log.level', 'mqtt.hots', 'mqtt.port']);
    expect((error as Error).message).toMatch(/mqtt\.port: /);
  });

  it('says where a syntax error is and when the file is missing', async () => {
    await expect(loadCentralConfig(write('c.yaml', 'mqtt: [\n'))).rejects.toMatchObject({ code: 'CONFIG_UNREADABLE', issues: [{ path: expect.stringMatching(/^line \d+/) }] });
    await expect(loadCentralConfig(join(dir.dir, 'none.yaml'))).rejects.toThrow(/no such file/);
  });
});
