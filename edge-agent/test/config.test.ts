/**
 * The agent's config: the examples load, defaults are filled in, every kind of wrong config is
 * refused with a message that names the field and the fix, files are read as YAML or JSON with
 * clear errors when they cannot be, and the generated docs match the schema.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configErrorCodes, loadConfig, parseConfig, parseConfigText } from '../src/config/load.ts';
import { generateConfigDocs } from '../src/config/json-schema.ts';
import { componentPins, kitPin, type AgentConfig } from '../src/config/schema.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const example = (name: string) => join(repo, 'edge-agent', 'examples', name);

type Json = Record<string, unknown>;
const kit = (over: Json = {}): Json => ({ id: 'robot-1', board: 'uno', find: { sim: 'robot-1' }, components: [], ...over });
const config = (over: Json = {}): Json => ({ unit: 'thcs-q1-01', gateway: 'robot-club-1', room: 'robot-club', kits: [kit()], ...over });
const withComponents = (components: Json[], over: Json = {}): Json => config({ kits: [kit({ components, ...over })] });

function refusal(value: unknown): ConfigError {
  try {
    parseConfig(value, 'agent.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('the config was accepted');
}

/** The config is refused with an issue at `path` whose message contains every one of `words`. */
function expectRefused(value: unknown, path: string, ...words: string[]): ConfigError {
  const error = refusal(value);
  expect(error.code).toBe('CONFIG_INVALID');
  const issue = error.issues.find((i) => i.path === path);
  expect(issue, `no issue at ${path}; got:\n${error.message}`).toBeDefined();
  for (const word of words) expect(issue!.message).toContain(word);
  expect(error.message).toContain(`${path}: ${issue!.message}`);
  return error;
}

describe('the example configs', () => {
  it('robot-club.yaml: 6 Uno robots with motors, an HC-SR04 on PingFirmata, line sensors, servo, LED, button and piezo', async () => {
    const club = await loadConfig(example('robot-club.yaml'));
    expect(club.room).toBe('robot-club');
    expect(club.kits).toHaveLength(6);
    for (const k of club.kits) {
      expect(k.board).toBe('uno');
      expect(k.firmware).toBe('PingFirmata');
      expect(k.find.sim).toBe(k.id);
      const types = k.components.map((c) => c.type);
      expect(types.filter((t) => t === 'motor')).toHaveLength(2);
      for (const t of ['proximity', 'line-sensors', 'servo', 'led', 'button', 'piezo'] as const) expect(types).toContain(t);
      const line = k.components.find((c) => c.type === 'line-sensors');
      expect([3, 5]).toContain(line?.type === 'line-sensors' ? line.pins.length : 0);
    }
    expect(club.gpio.estop?.bcm).toBe(17);
    expect(club.gpio.leds.map((l) => l.id)).toContain('status');
  });

  it('lab.yaml: sensor kits with thermometers, analog sensors, a relay and a Mega', async () => {
    const lab = await loadConfig(example('lab.yaml'));
    expect(lab.room).toBe('lab');
    const all = lab.kits.flatMap((k) => k.components.map((c) => c.type));
    for (const t of ['thermometer', 'analog-sensor', 'relay'] as const) expect(all).toContain(t);
    const mega = lab.kits.find((k) => k.board === 'mega');
    expect(mega?.components.filter((c) => c.type === 'thermometer' || c.type === 'analog-sensor').length).toBeGreaterThanOrEqual(4);
  });
});

describe('defaults and the parsed value', () => {
  const parsed = parseConfig(
    withComponents([
      { type: 'led', id: 'led', pin: 13 },
      { type: 'button', id: 'button', pin: 2 },
      { type: 'analog-sensor', id: 'light', pin: 'A0' },
      { type: 'thermometer', id: 'temp', pin: 'A1' },
      { type: 'relay', id: 'relay', pin: 7 },
      { type: 'motor', id: 'motor', pins: { pwm: 5, dir: 4 } },
    ]),
  );
  const k = parsed.kits[0]!;

  it('fills in every default the schema declares', () => {
    expect(k.firmware).toBe('StandardFirmata');
    expect(k.limits).toEqual({ maxMotorSpeed: 255, servoRange: [0, 180] });
    expect(parsed.safety.watchdogMs).toBe(500);
    expect(parsed.log.level).toBe('info');
    expect(parsed.gpio).toEqual({ sim: false, buttons: [], leds: [] });
    expect(k.components).toEqual([
      { type: 'led', id: 'led', pin: 13, pwm: false },
      { type: 'button', id: 'button', pin: 2, pullup: false, invert: false, holdtime: 500 },
      { type: 'analog-sensor', id: 'light', pin: 'A0', threshold: 1, freq: 25 },
      { type: 'thermometer', id: 'temp', pin: 'A1', controller: 'LM35', freq: 25 },
      { type: 'relay', id: 'relay', pin: 7, contact: 'NO' },
      { type: 'motor', id: 'motor', pins: { pwm: 5, dir: 4 }, invertPWM: false },
    ]);
  });

  it('defaults GPIO buttons and the e-stop to active-low with debounce', () => {
    const gpio = parseConfig(config({ gpio: { estop: { bcm: 17 }, buttons: [{ id: 'reset', bcm: 22 }] } })).gpio;
    expect(gpio.estop).toEqual({ bcm: 17, activeLow: true, debounceMs: 20 });
    expect(gpio.buttons[0]).toEqual({ id: 'reset', bcm: 22, activeLow: true, debounceMs: 20 });
  });

  it('is frozen all the way down, so nothing can change the config after validation', () => {
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(Object.isFrozen(k.components[0])).toBe(true);
    expect(Object.isFrozen(k.limits.servoRange)).toBe(true);
    expect(() => {
      (k.limits as { maxMotorSpeed: number }).maxMotorSpeed = 999;
    }).toThrow(TypeError);
  });

  it('does not share default objects between two parsed configs', () => {
    const a = parseConfig(config());
    const b = parseConfig(config());
    expect(a.kits[0]!.limits.servoRange).not.toBe(b.kits[0]!.limits.servoRange);
    expect(a.gpio.buttons).not.toBe(b.gpio.buttons);
  });

  it('resolves pins against the kit board and lists every pin of a component', () => {
    expect(kitPin(k, 'A0')).toBe(14);
    expect(kitPin({ id: 'm', board: 'mega' }, 'A0')).toBe(54);
    expect(componentPins(k.components[5]!).map((p) => [p.field.join('.'), p.use])).toEqual([
      ['pins.pwm', 'pwm'],
      ['pins.dir', 'digital'],
    ]);
  });

  it('lowercases USB ids, which serialport reports in lowercase', () => {
    const c = parseConfig(config({ kits: [kit({ find: { vendorId: '2341', productId: '00AB' } })] }));
    expect(c.kits[0]!.find.productId).toBe('00ab');
  });
});

describe('wrong configs are refused with the field path and the fix', () => {
  it('a PWM component on a pin without PWM', () => {
    expectRefused(withComponents([{ type: 'led', id: 'a', pin: 2 }, { type: 'led', id: 'dim', pin: 13, pwm: true }]), 'kits[0].components[1].pin', 'pin 13 is not a PWM pin on an Arduino Uno; use one of 3, 5, 6, 9, 10, 11');
    expectRefused(withComponents([{ type: 'motor', id: 'm', pins: { pwm: 4, dir: 7 } }]), 'kits[0].components[0].pins.pwm', 'not a PWM pin', '3, 5, 6, 9, 10, 11');
    expectRefused(withComponents([{ type: 'piezo', id: 'buzzer', pin: 8 }]), 'kits[0].components[0].pin', 'not a PWM pin');
    expectRefused(withComponents([{ type: 'piezo', id: 'buzzer', pin: 30 }], { board: 'mega' }), 'kits[0].components[0].pin', 'Arduino Mega 2560', '2–13, 44, 45, 46');
  });

  it('a pin the board does not have', () => {
    expectRefused(withComponents([{ type: 'led', id: 'led', pin: 54 }]), 'kits[0].components[0].pin', 'pin 54 does not exist on an Arduino Uno (pins 2–19, A0–A5)');
    expectRefused(withComponents([{ type: 'analog-sensor', id: 'x', pin: 'A6' }]), 'kits[0].components[0].pin', 'pin A6 does not exist', 'A0–A5');
    expectRefused(withComponents([{ type: 'line-sensors', id: 'line', pins: ['A0', 'A1', 99] }]), 'kits[0].components[0].pins[2]', 'does not exist');
    expectRefused(withComponents([{ type: 'led', id: 'led', pin: 'D7' }]), 'kits[0].components[0].pin', 'is not a pin', '"A0"');
  });

  it('pins 0 and 1, the USB serial link', () => {
    expectRefused(withComponents([{ type: 'button', id: 'b', pin: 1 }]), 'kits[0].components[0].pin', 'USB serial link', 'use one of pins 2–19');
    expectRefused(withComponents([{ type: 'motor', id: 'm', pins: { pwm: 5, dir: 0 } }]), 'kits[0].components[0].pins.dir', 'USB serial link');
  });

  it('two components on one pin, also when written as "A0" and 14', () => {
    expectRefused(withComponents([{ type: 'led', id: 'a', pin: 13 }, { type: 'button', id: 'b', pin: 13 }]), 'kits[0].components[1].pin', "already used by components[0].pin ('a')", 'own pin');
    expectRefused(
      withComponents([{ type: 'analog-sensor', id: 'light', pin: 'A0' }, { type: 'line-sensors', id: 'line', pins: [14, 15, 16] }]),
      'kits[0].components[1].pins[0]',
      'A0 and 14 are the same pin',
    );
    expectRefused(withComponents([{ type: 'motor', id: 'm', pins: { pwm: 5, dir: 5 } }]), 'kits[0].components[0].pins.dir', "this component's pins.pwm");
  });

  it('an HC-SR04 in a kit that does not run PingFirmata', () => {
    const error = expectRefused(withComponents([{ type: 'proximity', id: 'sonar', pin: 8 }]), 'kits[0].firmware', 'PingFirmata', 'set firmware: PingFirmata and upload it to the board');
    expect(error.issues.find((i) => i.path === 'kits[0].firmware')!.message).toContain("components[0] ('sonar')");
    expect(() => parseConfig(withComponents([{ type: 'proximity', id: 'sonar', pin: 8 }], { firmware: 'PingFirmata' }))).not.toThrow();
  });

  it('a servo on a pin without servo support, and a servo beyond the kit limits', () => {
    expectRefused(withComponents([{ type: 'servo', id: 's', pin: 50 }], { board: 'mega' }), 'kits[0].components[0].pin', 'cannot drive a servo on an Arduino Mega 2560', 'use one of pins 2–49');
    expectRefused(
      withComponents([{ type: 'servo', id: 's', pin: 9, range: [0, 180] }], { limits: { servoRange: [20, 160] } }),
      'kits[0].components[0].range',
      "beyond the kit's limits.servoRange [20, 160]",
    );
    expectRefused(withComponents([{ type: 'servo', id: 's', pin: 9, range: [30, 90], startAt: 120 }]), 'kits[0].components[0].startAt', 'outside', '[30, 90]');
    expectRefused(withComponents([{ type: 'servo', id: 's', pin: 9, range: [90, 30] }]), 'kits[0].components[0].range', 'min below max');
  });

  it('an analog sensor or a thermometer on a pin that is not an analog input', () => {
    expectRefused(withComponents([{ type: 'analog-sensor', id: 'light', pin: 7 }]), 'kits[0].components[0].pin', 'pin 7 is not an analog input on an Arduino Uno', 'A0–A5');
    expectRefused(withComponents([{ type: 'thermometer', id: 't', pin: 20 }], { board: 'mega' }), 'kits[0].components[0].pin', 'not an analog input', 'A0–A15');
  });

  it('duplicate kit ids and duplicate component ids', () => {
    expectRefused(config({ kits: [kit(), kit({ find: { sim: 'robot-2' } })] }), 'kits[1].id', "kit id 'robot-1' is already used by kits[0]", 'its own id');
    expectRefused(withComponents([{ type: 'led', id: 'led', pin: 13 }, { type: 'led', id: 'led', pin: 12 }]), 'kits[0].components[1].id', 'already used by components[0]');
  });

  it('a YAML alias bomb and a missing room: a message naming the problem, no exception text', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`)].join('\n');
    const err = (() => {
      try {
        parseConfigText(bomb, 'yaml', 'bomb.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/YAML aliases expand too much.*write the values out/);
    const { room, ...noRoom } = config() as Record<string, unknown>;
    expect(room).toBe('robot-club');
    expectRefused(noRoom, 'room', 'required: one of "robot-club", "lab", "classroom"');
  });

  it('a dead-man window shorter than two of the palette\'s motion re-sends (motors would stutter)', () => {
    expectRefused(config({ safety: { watchdogMs: 50 } }), 'safety.watchdogMs', 'every 200 ms', 'at least 400');
    expect(parseConfig(config({ safety: { watchdogMs: 400 } })).safety.watchdogMs).toBe(400);
  });

  it('a longest reconnect wait below the first one', () => {
    expectRefused(config({ mqtt: { reconnectMs: 5000, reconnectMaxMs: 1000 } }), 'mqtt.reconnectMaxMs', 'below the first', 'at least 5000');
    expectRefused(config({ connection: { retryMinMs: 2000, retryMaxMs: 1000 } }), 'connection.retryMaxMs', 'below the first', 'at least 2000');
  });

  it('two kits that would find the same board', () => {
    const serial = { serialNumber: '85736323838351F0E1A1' };
    expectRefused(config({ kits: [kit({ find: serial }), kit({ id: 'robot-2', find: serial })] }), 'kits[1].find.serialNumber', "kits[0] ('robot-1')", 'stemlab agent doctor');
    expectRefused(config({ kits: [kit(), kit({ id: 'robot-2' })] }), 'kits[1].find.sim', "simulated board 'robot-1'", 'its own sim name');
    expectRefused(config({ kits: [kit({ find: { path: '/dev/ttyACM0' } }), kit({ id: 'robot-2', find: { path: '/dev/ttyACM0' } })] }), 'kits[1].find.path', 'its own path');
    const usb = { vendorId: '2341', productId: '0043' };
    expectRefused(config({ kits: [kit({ find: usb }), kit({ id: 'robot-2', find: usb })] }), 'kits[1].find', 'cannot be told apart', 'serialNumber');
  });

  it('a finder that is empty, mixed with sim, or has half a USB id or an unquoted one', () => {
    expectRefused(config({ kits: [kit({ find: {} })] }), 'kits[0].find', 'serialNumber', 'sim: NAME');
    expectRefused(config({ kits: [kit({ find: { sim: 'robot-1', path: '/dev/ttyACM0' } })] }), 'kits[0].find.sim', 'cannot be combined with path');
    expectRefused(config({ kits: [kit({ find: { vendorId: '2341' } })] }), 'kits[0].find.productId', 'go together');
    expectRefused(config({ kits: [kit({ find: { vendorId: 2341, productId: '0043' } })] }), 'kits[0].find.vendorId', 'in quotes');
  });

  it('GPIO BCM numbers used twice, or out of range', () => {
    expectRefused(config({ gpio: { estop: { bcm: 17 }, leds: [{ id: 'status', bcm: 17 }] } }), 'gpio.leds[0].bcm', 'BCM 17 is already used by gpio.estop', 'its own BCM number');
    expectRefused(config({ gpio: { buttons: [{ id: 'a', bcm: 5 }, { id: 'a', bcm: 6 }] } }), 'gpio.buttons[1].id', "'a' is already used by gpio.buttons[0]");
    expectRefused(config({ gpio: { leds: [{ id: 'status', bcm: 40 }] } }), 'gpio.leds[0].bcm', '0 to 27', 'not the physical header pin');
  });

  it('ids that cannot be MQTT topic segments', () => {
    expectRefused(config({ unit: 'thcs/q1' }), 'unit', 'not a valid unit id', 'MQTT topic segment');
    expectRefused(config({ gateway: 'club#1' }), 'gateway', 'lowercase');
    expectRefused(config({ gateway: 'Robot Club' }), 'gateway', 'lowercase');
    expectRefused(config({ unit: undefined }), 'unit', 'required');
  });

  it('unknown component types, unknown fields and values out of range', () => {
    expectRefused(withComponents([{ type: 'lidar', id: 'x', pin: 3 }]), 'kits[0].components[0].type', "'lidar' is not a component type", 'led, button, servo, motor');
    expectRefused(withComponents([{ type: 'led', id: 'x', pin: 3, colour: 'red' }]), 'kits[0].components[0].colour', 'unknown field');
    expectRefused(config({ kits: [kit({ limits: { maxMotorSpeed: 300 } })] }), 'kits[0].limits.maxMotorSpeed', 'at most 255');
    expectRefused(config({ room: 'gym' }), 'room', '"robot-club", "lab", "classroom"');
    expectRefused(config({ kits: [kit({ board: 'nano' })] }), 'kits[0].board', '"uno", "mega"');
  });

  it('lists every problem at once, each on its own line', () => {
    const error = refusal(withComponents([{ type: 'led', id: 'a', pin: 54 }, { type: 'analog-sensor', id: 'b', pin: 7 }]));
    expect(error.issues.map((i) => i.path)).toEqual(['kits[0].components[0].pin', 'kits[0].components[1].pin']);
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.message).toMatch(/^agent config agent\.yaml is invalid \(2 problems/);
  });
});

describe('reading config files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stemlab-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads JSON and YAML (.yaml and .yml) to the same config', async () => {
    const fromYaml = await loadConfig(example('robot-club.yaml'));
    const json = join(dir, 'robot-club.json');
    await writeFile(json, JSON.stringify({ $schema: '../../docs/agent-config.schema.json', ...fromYaml }, null, 2));
    const fromJson: AgentConfig = await loadConfig(json);
    expect({ ...fromJson, $schema: undefined }).toEqual({ ...fromYaml, $schema: undefined });
    const yml = join(dir, 'lab.yml');
    await writeFile(yml, await readFile(example('lab.yaml'), 'utf8'));
    expect(await loadConfig(yml)).toEqual(await loadConfig(example('lab.yaml')));
  });

  it('names the file in an invalid-config error', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'unit: thcs-q1-01\ngateway: robot-club-1\nroom: robot-club\nkits:\n  - { id: r1, board: uno, find: { sim: r1 }, components: [{ type: led, id: l, pin: 13, pwm: true }] }\n');
    const error = await loadConfig(file).then(() => undefined, (e: unknown) => e as ConfigError);
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.message).toContain(`agent config ${file} is invalid`);
    expect(error?.message).toContain('kits[0].components[0].pin: pin 13 is not a PWM pin');
  });

  it('a missing file, a directory or an unknown extension is CONFIG_UNREADABLE with what to do', async () => {
    const missing = join(dir, 'nope.yaml');
    await expect(loadConfig(missing)).rejects.toMatchObject({ code: 'CONFIG_UNREADABLE', message: expect.stringContaining(`cannot read agent config ${missing}`) });
    await expect(loadConfig(missing)).rejects.toThrow(/no such file; check the path given to --config/);
    await expect(loadConfig(join(dir, 'folder.yaml').replace('folder.yaml', ''))).rejects.toMatchObject({ code: 'CONFIG_UNREADABLE' });
    await expect(loadConfig(join(dir, 'agent.toml'))).rejects.toThrow(/name the file \.yaml, \.yml or \.json/);
  });

  it('a YAML syntax error names the line and column', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'unit: thcs-q1-01\nunit: again\n');
    const error = await loadConfig(file).then(() => undefined, (e: unknown) => e as ConfigError);
    expect(error?.code).toBe('CONFIG_UNREADABLE');
    expect(error?.issues).toEqual([{ path: 'line 2, column 1', message: 'YAML syntax error: Map keys must be unique' }]);
    expect(error?.message).toContain(file);

    const indent = () => parseConfigText('kits:\n  - id: a\n   board: uno\n', 'yaml', 'x.yaml');
    expect(indent).toThrow(ConfigError);
    expect(indent).toThrow(/line 3, column \d+: YAML syntax error/);
  });

  it('a JSON syntax error names the line and column', () => {
    const bad = () => parseConfigText('{\n  "unit": "a"\n  "gateway": "b"\n}', 'json', 'agent.json');
    expect(bad).toThrow(/agent\.json:\n {2}line 3, column 3: JSON syntax error/);
  });

  it('an empty file says where to start', () => {
    expect(() => parseConfigText('  \n', 'yaml', 'empty.yaml')).toThrow(/empty; start from edge-agent\/examples/);
  });
});

describe('generated docs', () => {
  it('docs/agent-config.schema.json and docs/agent-config.md match the schema (run npm run docs)', async () => {
    for (const { path, content } of generateConfigDocs()) {
      expect(await readFile(join(repo, path), 'utf8'), `${path} is stale`).toBe(content);
    }
  });

  it('documents every field of every component type and every error code', () => {
    const reference = generateConfigDocs().find((d) => d.path.endsWith('.md'))!.content;
    for (const type of ['led', 'button', 'servo', 'motor', 'analog-sensor', 'thermometer', 'proximity', 'line-sensors', 'piezo', 'relay']) {
      expect(reference).toContain(`kits[].components[type=${type}]`);
    }
    for (const code of Object.keys(configErrorCodes)) expect(reference).toContain(`\`${code}\``);
    expect(reference).not.toMatch(/\| `[^`]+` \| [^|]+ \| [^|]+ \| {2}\|/); // no field without a description
  });
});
