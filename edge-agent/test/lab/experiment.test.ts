/**
 * Lab experiments on simulated sensors through the real stack (simulated board → serialport →
 * Firmata → Johnny-Five → agent → local API). Protects: a 30 s experiment at 10 Hz records
 * exactly 300 samples per sensor with units and timestamps, exported as CSV and XLSX with the
 * same values; a second group records on another kit at the same time; bad requests (rate 0,
 * an unknown sensor, a busy kit...) get clear bilingual errors; the water's curve follows
 * Newton's law of cooling within the sensor's resolution and noise; an experiment cut short by
 * the agent stopping stays on disk as "interrupted".
 *
 * Time: the simulated world and the experiments each run on a ManualClock, moved together in
 * 100 ms steps; after moving the world, each step waits (on the agent's reading events, no
 * sleeping) until the readings that changed have come through Firmata, then lets the experiment
 * sample. A 30 s experiment takes a few seconds of wall time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeGateway, type ComposedGateway } from '@stemlab/compose';
import { ManualClock, newtonCooling, type LabSensor } from '@stemlab/simulators';
import { quantities } from '@stemlab/protocol';
import { createLogger, loadConfig, ExperimentStore, type ExperimentMeta } from '../../src/index.ts';
import { readLocalToken } from '../../src/api/auth.ts';

const seed = Number(process.env.STEMLAB_SEED ?? 20261204);
console.log(`lab experiment test: seed ${seed} (STEMLAB_SEED=${seed} replays it)`);

const T0 = Date.UTC(2026, 11, 4, 7, 30);
const world = new ManualClock(T0);
const lab = new ManualClock(T0);
const water = newtonCooling({ from: 80, ambient: 28, k: 0.005 });
let gateway: ComposedGateway;
let dir: string;
let base: string;
let stopped = false;
/** Steps that went on without a fresh reading (see `step`). */
let missedSteps = 0;

/** The lab's API needs a log-in: these calls carry the agent's local token, as the CLI does. */
function auth(): Record<string, string> {
  return { authorization: `Bearer ${readLocalToken(dir)}` };
}

async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers = { ...auth(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  const res = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The agent's latest value of a sensor, as experiments read it. */
function agentValue(id: string): unknown {
  const [kit, component] = id.split('/') as [string, string];
  return gateway.agent.kit(kit).devices.get(component)!.value();
}

/**
 * Move the world by `ms`, wait until every sensor whose pin reading changed has reported through
 * the stack, then move the experiments' clock (they sample now, on up-to-date values).
 */
async function step(ms: number, watched: LabSensor[]): Promise<void> {
  const before = watched.map((s) => s.raw());
  world.advance(ms);
  const changed = watched.filter((s, i) => s.raw() !== before[i]).map((s) => s.name);
  if (changed.length > 0) {
    await new Promise<void>((resolve) => {
      const waiting = new Set(changed);
      // Johnny-Five reports a sensor only when it moved past its threshold between two of its
      // samples, so a raw change of a step or two (or one undone before it sampled) may bring no
      // reading at all: such a step goes on after 1 s on the last reading, and is counted
      // (`missedSteps`, bounded by the recording test).
      const timer = setTimeout(() => {
        missedSteps += 1;
        off();
        resolve();
      }, 1000);
      const off = gateway.agent.bus.on('component:reading', (e) => {
        waiting.delete(`${e.kit}/${e.component}`);
        if (waiting.size > 0) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }
  lab.advance(ms);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stemlab-lab-'));
  const example = await loadConfig(join(import.meta.dirname, '../../examples/lab.yaml'));
  const config = { ...example, dataDir: dir, mqtt: { ...example.mqtt, enabled: false }, nodered: { ...example.nodered, enabled: false } };
  gateway = await composeGateway(config, {
    log: createLogger('silent'),
    port: 0,
    labWorld: { clock: world, seed, phenomena: { 'bench-1/water-temp': water } },
    labClock: lab,
  });
  await gateway.agent.waitForKits('connected', 20_000);
  base = gateway.api.url;
  // Every sensor's first reading has come through.
  const ids = [...gateway.labWorld!.sensors.keys()];
  for (let i = 0; ids.some((id) => agentValue(id) === undefined); i++) {
    if (i > 200) throw new Error(`no first reading from ${ids.filter((id) => agentValue(id) === undefined).join(', ')}`);
    await new Promise<void>((resolve) => {
      const off = gateway.agent.bus.on('component:reading', () => (off(), resolve()));
    });
  }
}, 30_000);

afterAll(async () => {
  if (!stopped) await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a lab experiment on simulated sensors', () => {
  let first: ExperimentMeta;
  let second: ExperimentMeta;

  it('never reads a value the quantity cannot take (the −50 °C air of old)', () => {
    for (const sensor of gateway.lab.sensors.filter((s) => gateway.labWorld!.sensors.has(s.id))) {
      const value = agentValue(sensor.id) as { celsius?: number; value?: number };
      const n = value.celsius ?? value.value!;
      const bounds = quantities[sensor.quantity!];
      expect(n, sensor.id).toBeGreaterThanOrEqual(bounds.min);
      expect(n, sensor.id).toBeLessThanOrEqual(bounds.max);
    }
    const air = agentValue('bench-2/air-temp') as { celsius: number };
    expect(air.celsius).toBeGreaterThan(25);
    expect(air.celsius).toBeLessThan(33);
  });

  it('refuses the lab API to a caller who has not logged in; the page itself is public', async () => {
    const start = await fetch(`${base}/api/v1/lab/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ group: 'x', sensors: ['bench-1/light'], rateHz: 1, durationS: 5 }) });
    expect(start.status).toBe(401);
    expect(((await start.json()) as { code: string }).code).toBe('LOGIN_REQUIRED');
    expect((await fetch(`${base}/api/v1/lab`)).status).toBe(401);
    expect((await fetch(`${base}/lab`)).status).toBe(200);
  });

  it('two groups start on two kits; bad requests are refused with the field and the fix', async () => {
    const started = await api('POST', '/api/v1/lab/experiments', { title: 'Newton cooling', group: 'Nhóm 1', sensors: ['bench-1/water-temp', 'bench-1/light'], rateHz: 10, durationS: 30 });
    expect(started.status).toBe(200);
    first = started.json.experiment as ExperimentMeta;
    expect(first.sensors.map((s) => s.unit)).toEqual(['°C', 'lx']);
    const other = await api('POST', '/api/v1/lab/experiments', { group: 'Nhóm 2', sensors: ['bench-2/ph', 'bench-2/voltage'], rateHz: 5, durationS: 30 });
    expect(other.status).toBe(200);
    second = other.json.experiment as ExperimentMeta;

    const refused = [
      [{ group: 'Nhóm 3', sensors: ['bench-3/sound'], rateHz: 0, durationS: 30 }, 400, 'EXPERIMENT_INVALID', /rateHz/],
      [{ group: 'Nhóm 3', sensors: ['bench-3/sound'], rateHz: 51, durationS: 30 }, 400, 'EXPERIMENT_INVALID', /rateHz/],
      [{ group: 'Nhóm 3', sensors: ['bench-3/sound'], rateHz: 10, durationS: 0 }, 400, 'EXPERIMENT_INVALID', /durationS/],
      [{ group: 'Nhóm 3', sensors: [], rateHz: 10, durationS: 30 }, 400, 'EXPERIMENT_INVALID', /sensors/],
      [{ group: 'Nhóm 3', sensors: ['bench-9/thermo'], rateHz: 10, durationS: 30 }, 400, 'SENSOR_UNKNOWN', /bench-9\/thermo.*bench-1\/water-temp/],
      [{ group: 'Nhóm 3', sensors: ['bench-1/recording'], rateHz: 10, durationS: 30 }, 400, 'SENSOR_UNKNOWN', /bench-1\/recording/],
      [{ group: 'Nhóm 3', sensors: ['demo-bench/soil'], rateHz: 5, durationS: 30 }, 400, 'EXPERIMENT_INVALID', /every 1000 ms, so at most 1 Hz/],
      [{ group: 'Nhóm 3', sensors: ['bench-3/sound', 'bench-1/light'], rateHz: 10, durationS: 30 }, 409, 'KIT_BUSY', /bench-1.*Nhóm 1/],
    ] as const;
    for (const [body, status, code, message] of refused) {
      const res = await api('POST', '/api/v1/lab/experiments', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.json).toMatchObject({ status: 'error', code });
      expect(res.json.message).toMatch(message);
      expect(res.json.messageVi).toMatch(/[ạảãáàâấầẩẫậăắằẳẵặđêếềểễệôốồổỗộơớờởỡợưứừửữự]/);
    }
    const busy = await api('GET', '/api/v1/lab');
    expect((busy.json.kits as Array<{ id: string; busy?: { group: string } }>).find((k) => k.id === 'bench-1')?.busy?.group).toBe('Nhóm 1');
  });

  it('records 30 s at 10 Hz; a mark; stops by itself at the duration', async () => {
    const watched = ['bench-1/water-temp', 'bench-1/light', 'bench-2/ph', 'bench-2/voltage'].map((id) => gateway.labWorld!.sensors.get(id)!);
    for (let i = 1; i <= 300; i++) {
      await step(100, watched);
      if (i === 150) {
        expect((await api('POST', `/api/v1/lab/experiments/${first.id}/marks`, { label: 'thêm đá / ice added' })).status).toBe(200);
        // Running, the experiment is use of its kits: their readings count in the usage ledger.
        expect(gateway.usage.purposeOf('bench-1')).toEqual({ kind: 'experiment', by: 'Nhóm 1' });
      }
    }
    const done = await api('GET', `/api/v1/lab/experiments/${first.id}`);
    expect(done.json.experiment).toMatchObject({ state: 'done', samples: 300, stoppedAt: T0 + 30_000 });
    expect((await api('GET', `/api/v1/lab/experiments/${second.id}`)).json.experiment).toMatchObject({ state: 'done', samples: 150 });
    expect(lab.pending).toBe(0);
    // Most steps saw their sensors' new readings before sampling (see `step`).
    expect(missedSteps).toBeLessThan(30);
    expect(gateway.usage.purposeOf('bench-1')).toEqual({ kind: 'free-practice' });
    const late = await api('POST', `/api/v1/lab/experiments/${first.id}/marks`, { label: 'too late' });
    expect(late).toMatchObject({ status: 409, json: { code: 'EXPERIMENT_FINISHED' } });
    expect((await api('GET', '/api/v1/lab/experiments/nope-123')).status).toBe(404);
  }, 60_000);

  it('exports a CSV with every reading, units and timestamps', async () => {
    const res = await fetch(`${base}/api/v1/lab/experiments/${first.id}/export.csv?lang=en`, { headers: auth() });
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${first.id}.csv"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    // A byte-order mark, so that Excel reads the Vietnamese headings as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('Time UTC (ISO 8601),Elapsed (s),bench-1/water-temp – Water temperature (LM35) (°C),bench-1/light – Light (TEMT6000) (lx),Mark');
    expect(lines).toHaveLength(301);
    const rows = lines.slice(1).map((line) => line.split(','));
    rows.forEach((row, i) => {
      expect(row[0]).toBe(new Date(T0 + i * 100).toISOString());
      expect(row[1]).toBe((i / 10).toFixed(3));
      expect(Number(row[2])).toBeGreaterThan(28);
      expect(Number(row[3])).toBeGreaterThanOrEqual(0);
    });
    expect(rows.filter((row) => row[4] !== '').map((row) => [row[1], row[4]])).toEqual([['15.000', 'thêm đá / ice added']]);
    const vi = await (await fetch(`${base}/api/v1/lab/experiments/${first.id}/export.csv`, { headers: auth() })).text();
    expect(vi.split('\r\n')[0]).toContain('Thời gian UTC (ISO 8601),Thời điểm (s)');
  });

  it('exports the same as XLSX', async () => {
    const [csv, xlsx] = await Promise.all([
      fetch(`${base}/api/v1/lab/experiments/${first.id}/export.csv?lang=en`, { headers: auth() }).then((r) => r.text()),
      fetch(`${base}/api/v1/lab/experiments/${first.id}/export.xlsx?lang=en`, { headers: auth() }).then((r) => r.arrayBuffer()),
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx);
    const sheet = wb.getWorksheet('Readings')!;
    expect(sheet.rowCount).toBe(301);
    const csvRows = csv.trimEnd().split('\r\n').slice(1).map((line) => line.split(','));
    for (let r = 2; r <= 301; r++) {
      const row = sheet.getRow(r);
      const expected = csvRows[r - 2]!;
      expect((row.getCell(1).value as Date).toISOString()).toBe(expected[0]);
      expect(row.getCell(2).value).toBeCloseTo(Number(expected[1]), 6);
      expect(row.getCell(3).value).toBe(Number(expected[2]));
      expect(row.getCell(4).value).toBe(Number(expected[3]));
    }
    expect(sheet.getRow(1).getCell(3).value).toContain('(°C)');
    expect(wb.getWorksheet('Marks')!.getRow(2).getCell(3).value).toBe('thêm đá / ice added');
  });

  it("follows Newton's law of cooling within the sensor's resolution and noise", async () => {
    const { json } = await api('GET', `/api/v1/lab/experiments/${first.id}/readings?since=0`);
    const rows = json.rows as Array<[number, number, number]>;
    expect(rows).toHaveLength(300);
    // An LM35 on a 10-bit ADC reads in 0.49 °C steps (±0.25 °C) with 0.1 °C of noise.
    const residuals = rows.map(([ms, celsius]) => celsius - water.ideal(ms / 1000));
    for (const r of residuals) expect(Math.abs(r)).toBeLessThan(0.7);
    expect(Math.abs(residuals.reduce((a, b) => a + b, 0) / residuals.length)).toBeLessThan(0.1);
    // The cooling constant, fitted from the readings: ln(T − Tₐ) falls with slope −k.
    const xs = rows.map(([ms]) => ms / 1000);
    const ys = rows.map(([, c]) => Math.log(c - water.ambient));
    const mx = xs.reduce((a, b) => a + b) / xs.length;
    const my = ys.reduce((a, b) => a + b) / ys.length;
    const k = -xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    expect(k).toBeGreaterThan(0.0045);
    expect(k).toBeLessThan(0.0055);
  });

  it('keeps an experiment cut short by the agent stopping, as interrupted', async () => {
    const started = await api('POST', '/api/v1/lab/experiments', { group: 'Nhóm 3', sensors: ['bench-3/distance', 'bench-3/sound'], rateHz: 20, durationS: 60 });
    expect(started.status).toBe(200);
    const watched = ['bench-3/distance', 'bench-3/sound'].map((id) => gateway.labWorld!.sensors.get(id)!);
    for (let i = 0; i < 10; i++) await step(100, watched);
    await gateway.stop();
    stopped = true;
    const id = (started.json.experiment as ExperimentMeta).id;
    const store = new ExperimentStore(join(dir, 'experiments'));
    expect(store.meta(id)).toMatchObject({ state: 'interrupted', samples: 21 });
    expect(store.rows(id)).toHaveLength(21);
    expect(store.list().map((m) => m.state).sort()).toEqual(['done', 'done', 'interrupted']);
  });
});
