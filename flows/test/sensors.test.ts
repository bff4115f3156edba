import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collector, helper, kitNode, message, rig, teardown } from './helpers/red.ts';

// The sensor nodes over the simulated Uno of robotKit: button 'start' on pin 2 (pull-up, held
// after 100 ms), analog 'light' on A3 (scaled to 0–100), thermometer 'temp' (LM35) on A4,
// HC-SR04 'sonar' on pin 8, line sensors on A0–A2. The test moves the world (a voltage, a
// press, an echo) and waits for the node's message.

beforeAll(() => helper.startServer());
afterEach(() => teardown());
afterAll(() => helper.stopServer());

type Msg = { topic: string; payload: unknown; event?: string; [key: string]: unknown };

describe('stemlab-button', () => {
  it('sends press, hold and release with the pressed state as payload', async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'button', type: 'stemlab-button', kit: 'kit', component: 'start', press: true, hold: true, release: true, wires: [['out']] }, collector('out')]);
    const out = r.node('out');
    await r.board.waitForPin(2, () => r.board.readDigital(2) === 1);
    const pressed = message<Msg>(out, (m) => m.event === 'press');
    const held = message<Msg>(out, (m) => m.event === 'hold');
    r.board.press(2);
    expect(await pressed).toMatchObject({ topic: 'robot-1/start', payload: true, event: 'press' });
    expect(await held).toMatchObject({ payload: true, event: 'hold' });
    const released = message<Msg>(out, (m) => m.event === 'release');
    r.board.release(2);
    expect(await released).toMatchObject({ payload: false, event: 'release' });
  });

  it('sends only the events it is set to', async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'button', type: 'stemlab-button', kit: 'kit', component: 'start', press: true, hold: false, release: false, wires: [['out']] }, collector('out')]);
    const seen: Msg[] = [];
    r.node('out').on('input', (m: never) => seen.push(m));
    await r.board.waitForPin(2, () => r.board.readDigital(2) === 1);
    const pressed = message<Msg>(r.node('out'));
    r.board.press(2);
    await pressed;
    const released = new Promise<void>((resolve) => r.sa.agent.bus.on('component:reading', (e) => e.component === 'start' && !(e.value as { pressed: boolean }).pressed && resolve()));
    r.board.release(2);
    await released;
    expect(seen.map((m) => m.event)).toEqual(['press']);
  });
});

describe('stemlab-analog', () => {
  it('sends each change, and true/false on crossing its threshold', async () => {
    const r = await rig();
    await r.load([
      kitNode,
      { id: 'light', type: 'stemlab-analog', kit: 'kit', component: 'light', threshold: '60', hysteresis: '5', wires: [['values'], ['crossings']] },
      collector('values'),
      collector('crossings'),
    ]);
    const value = message<Msg>(r.node('values'), (m) => m.raw === 409);
    const above = message<Msg>(r.node('crossings'), (m) => m.payload === true);
    r.sa.sim.board('robot-1').setVoltage('A3', 2);
    expect(await value).toMatchObject({ topic: 'robot-1/light', payload: 39.98 });
    r.board.setVoltage('A3', 4);
    expect(await above).toMatchObject({ topic: 'robot-1/light', payload: true, event: 'above', value: 79.961 });
    // Back below 60 but within the 5 of hysteresis: still above. Below 55: below.
    const below = message<Msg>(r.node('crossings'), (m) => m.payload === false);
    r.board.setVoltage('A3', 2.9);
    await message<Msg>(r.node('values'), (m) => (m.payload as number) < 60);
    r.board.setVoltage('A3', 2.5);
    expect((await below).value).toBeLessThan(55);
  });

  it('answers an input message with the latest value', async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'light', type: 'stemlab-analog', kit: 'kit', component: 'light', threshold: '', wires: [['values'], []] }, collector('values')]);
    r.board.setVoltage('A3', 2.5);
    await message<Msg>(r.node('values'), (m) => m.raw === 512);
    const answer = message<Msg>(r.node('values'), (m) => m.question === 'now?');
    r.node('light').receive({ question: 'now?' });
    expect(await answer).toMatchObject({ topic: 'robot-1/light', payload: 50.049, raw: 512 });
  });
});

describe('stemlab-thermometer', () => {
  it('sends the temperature in °C', async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'temp', type: 'stemlab-thermometer', kit: 'kit', component: 'temp', threshold: '30', wires: [['values'], ['hot']] }, collector('values'), collector('hot')]);
    const warm = message<Msg>(r.node('values'), (m) => (m.payload as number) > 20);
    r.board.setVoltage('A4', 0.25);
    const msg = await warm;
    expect(msg.topic).toBe('robot-1/temp');
    expect(msg.payload as number).toBeCloseTo(25, 0);
    const hot = message<Msg>(r.node('hot'), (m) => m.payload === true);
    r.board.setVoltage('A4', 0.35);
    expect((await hot).event).toBe('above');
  });
});

describe('stemlab-ultrasonic', () => {
  it('sends the distance, and near/far around its threshold', async () => {
    const r = await rig();
    r.board.setEchoDistance(8, 100);
    await r.load([
      kitNode,
      { id: 'sonar', type: 'stemlab-ultrasonic', kit: 'kit', component: 'sonar', threshold: 20, hysteresis: 5, wires: [['distance'], ['near']] },
      collector('distance'),
      collector('near'),
    ]);
    const far = message<Msg>(r.node('near'), (m) => m.payload === false);
    expect(await far).toMatchObject({ event: 'far', value: 100 });
    const close = message<Msg>(r.node('distance'), (m) => m.payload === 12);
    const near = message<Msg>(r.node('near'), (m) => m.payload === true);
    r.board.setEchoDistance(8, 12);
    expect(await close).toMatchObject({ topic: 'robot-1/sonar', payload: 12 });
    expect(await near).toMatchObject({ topic: 'robot-1/sonar', event: 'near', value: 12 });
    const gone = message<Msg>(r.node('distance'), (m) => m.payload === null);
    r.board.setEchoDistance(8, null);
    await gone;
  });
});

describe('stemlab-line', () => {
  it('sends the readings, which sensors see the line and where it is', async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'line', type: 'stemlab-line', kit: 'kit', component: 'line', threshold: 512, invert: false, wires: [['out']] }, collector('out')]);
    const left = message<Msg>(r.node('out'), (m) => (m.payload as number[])[0] === 900 && (m.payload as number[])[1] === 0);
    r.board.setAnalog(0, 900);
    expect(await left).toMatchObject({ topic: 'robot-1/line', line: [true, false, false], position: -1 });
    const middle = message<Msg>(r.node('out'), (m) => (m.line as boolean[]).join() === 'true,true,false');
    r.board.setAnalog(1, 800);
    expect((await middle).position).toBe(-0.5);
    const none = message<Msg>(r.node('out'), (m) => (m.line as boolean[]).every((on) => !on));
    r.board.setAnalog(0, 100);
    r.board.setAnalog(1, 100);
    expect((await none).position).toBeNull();
  });
});
