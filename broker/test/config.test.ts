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
    expect(config).toEqual({ dataDir: 'data/central', mqtt: { host: '127.0.0.1', port: 1883 }, reports: { archive: true, minutesBeforeDeadline: 60 }, retention: { deadLetterDays: 30, telemetryDays: 30, retainedDays: 90, sweepMinutes: 60 }, log: { level: 'info' } });
    expect(Object.isFrozen(config.mqtt)).toBe(true);
  });

  it('fills defaults for what is left out', async () => {
    expect(await loadCentralConfig(write('c.json', '{"mqtt": {"port": 0}}'))).toMatchObject({ dataDir: 'data/central', mqtt: { host: '127.0.0.1', port: 0 } });
  });

  it('gives the HTTP section its log-in limit and no trusted proxy by default', async () => {
    const config = await loadCentralConfig(write('h.yaml', 'http: { port: 0 }\n'));
    expect(config.http).toEqual({ host: '127.0.0.1', port: 0, sessionHours: 12, loginAttempts: { perUser: 5, perAddress: 50, windowMinutes: 15 }, trustProxy: [], silentAfterDays: 3 });
    const error = (await loadCentralConfig(write('i.yaml', 'http: { loginAttempts: { perUser: 0 }, trustProxy: 127.0.0.1 }\n')).catch((err: unknown) => err)) as CentralConfigError;
    expect(error.issues.map((i) => i.path).sort()).toEqual(['http.loginAttempts.perUser', 'http.trustProxy']);
  });

  it('names the field of every problem', async () => {
    const file = write('c.yaml', 'mqtt:\n  port: 70000\n  hots: x\nlog: { level: loud }\n');
    const error = await loadCentralConfig(file).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CentralConfigError);
    expect((error as CentralConfigError).code).toBe('CONFIG_INVALID');
    expect((error as CentralConfigError).issues.map((i) => i.path).sort()).toEqual(['log.level', 'mqtt.hots', 'mqtt.port']);
    expect((error as Error).message).toMatch(/mqtt\.port: /);
  });

  it('checks anonymous rights as MQTT topic filters and bounds the retention', async () => {
    const file = write('a.yaml', "security:\n  anonymous:\n    publish: { deny: ['a/#/b'] }\nretention: { deadLetterDays: 0 }\n");
    const error = await loadCentralConfig(file).catch((err: unknown) => err);
    expect((error as CentralConfigError).issues.map((i) => i.path).sort()).toEqual(['retention.deadLetterDays', 'security.anonymous.publish.deny[0]']);
    expect((error as Error).message).toMatch(/security\.anonymous\.publish\.deny\[0\]: an MQTT topic filter/);
    const ok = await loadCentralConfig(write('b.yaml', "security:\n  allowAnonymous: true\n  anonymous:\n    publish: { deny: ['stemlab/v1/+/+/cmd/+'] }\n"));
    // A rule given: its lists default to every topic; a rule left out: the safe default's (rights.ts).
    expect(ok.security?.anonymous).toEqual({ publish: { allow: ['#'], deny: ['stemlab/v1/+/+/cmd/+'] }, subscribe: { allow: ['#', '$SYS/#'], deny: [] }, retain: false });
    const onlySubscribe = await loadCentralConfig(write('c.yaml', "security:\n  allowAnonymous: true\n  anonymous:\n    subscribe: { allow: ['stemlab/v1/+/+/telemetry/#'] }\n"));
    expect(onlySubscribe.security?.anonymous).toEqual({ publish: { allow: ['#'], deny: ['stemlab/v1/#'] }, subscribe: { allow: ['stemlab/v1/+/+/telemetry/#'], deny: [] }, retain: false });
  });

  it('answers a YAML alias bomb with a message, not an exception', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`)].join('\n');
    const err = await loadCentralConfig(write('bomb.yaml', bomb)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CentralConfigError);
    expect((err as CentralConfigError).message).toMatch(/YAML aliases expand too much.*write the values out/);
  });

  it('says where a syntax error is and when the file is missing', async () => {
    await expect(loadCentralConfig(write('c.yaml', 'mqtt: [\n'))).rejects.toMatchObject({ code: 'CONFIG_UNREADABLE', issues: [{ path: expect.stringMatching(/^line \d+/) }] });
    await expect(loadCentralConfig(join(dir.dir, 'none.yaml'))).rejects.toThrow(/no such file/);
  });
});

describe('listeners, broker state and cluster', () => {
  it('reads the cluster example', async () => {
    const config = await loadCentralConfig(join(import.meta.dirname, '../examples/central-cluster.yaml'));
    expect(config).toMatchObject({ mqtt: { host: '0.0.0.0', port: 1883 }, cluster: { redis: 'redis://127.0.0.1:6379/0', nodeId: 'central-1' } });
    expect(config.state).toBeUndefined();
    expect(Object.isFrozen(config.cluster)).toBe(true);
  });

  it('fills the listener defaults and needs the certificate files', async () => {
    const config = await loadCentralConfig(write('c.yaml', 'tls: { cert: a.crt, key: a.key }\nwebsocket: {}\n'));
    expect(config.tls).toEqual({ host: '127.0.0.1', port: 8883, cert: 'a.crt', key: 'a.key' });
    expect(config.websocket).toEqual({ host: '127.0.0.1', port: 8083, path: '/mqtt' });
    const error = (await loadCentralConfig(write('d.yaml', 'tls: { port: 8883 }\nwebsocket: { path: mqtt, tls: { cert: a.crt } }\n')).catch((e: unknown) => e)) as CentralConfigError;
    expect(error.issues.map((i) => i.path).sort()).toEqual(['tls.cert', 'tls.key', 'websocket.path', 'websocket.tls.key']);
    expect(error.message).toMatch(/websocket\.path: a path starts with \//);
  });

  it('checks the broker state against the cluster', async () => {
    const noUrl = (await loadCentralConfig(write('a.yaml', 'state: { kind: redis }\n')).catch((e: unknown) => e)) as CentralConfigError;
    expect(noUrl.issues).toEqual([{ path: 'state.url', message: expect.stringMatching(/needs the Redis URL/) }]);
    const onDisk = (await loadCentralConfig(write('b.yaml', 'cluster: { redis: "redis://r:6379/2" }\nstate: { kind: disk }\n')).catch((e: unknown) => e)) as CentralConfigError;
    expect(onDisk.issues).toEqual([{ path: 'state.kind', message: expect.stringMatching(/a cluster shares its broker state through Redis/) }]);
    const badNode = (await loadCentralConfig(write('c.yaml', 'cluster: { redis: "redis://r", nodeId: "node 1" }\n')).catch((e: unknown) => e)) as CentralConfigError;
    expect(badNode.issues.map((i) => i.path)).toEqual(['cluster.nodeId']);
    expect(await loadCentralConfig(write('d.yaml', 'state: { kind: memory }\n'))).toMatchObject({ state: { kind: 'memory' } });
  });
});
