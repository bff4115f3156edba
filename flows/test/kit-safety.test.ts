import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collector, helper, kitNode, loadFlow, message, rig, teardown, useCatalogs } from './helpers/red.ts';

// What a classroom relies on beyond the pins: badges that say what the kit is doing, refusals
// (unplugged kit, latched e-stop) that reach Catch nodes with their code and in the runtime's
// language, the e-stop node, usage tagging, and the editor's list of kits.

beforeAll(() => helper.startServer());
afterEach(() => teardown());
afterAll(() => helper.stopServer());

type Status = { status: { fill: string; shape: string; text: string } };
type Caught = { payload: unknown; error: { code: string; message: string } };

const watch = (scope: string[]) => [
  { id: 'status', type: 'status', scope, wires: [['statuses']] },
  collector('statuses'),
  { id: 'catch', type: 'catch', scope, uncaught: false, wires: [['caught']] },
  collector('caught'),
];

describe('a kit unplugged and plugged back', () => {
  it('shows a red ring with the reason, refuses commands to Catch, and turns green again', async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'led', type: 'stemlab-led', kit: 'kit', component: 'led', action: '', wires: [] }, ...watch(['led'])]);
    await useCatalogs('en-US');
    const port = r.sa.sim.port('robot-1');

    const disconnected = message<Status>(r.node('statuses'), (m) => m.status.fill === 'red' && m.status.shape === 'ring');
    port.unplug();
    expect((await disconnected).status.text).toBe('disconnected: unplugged');

    const caught = message<Caught>(r.node('caught'));
    r.node('led').receive({ payload: true });
    const { error, payload } = await caught;
    expect(error.code).toBe('KIT_NOT_CONNECTED');
    expect(error.message).toMatch(/^KIT_NOT_CONNECTED: kit robot-1 is not connected \(.+\); the gateway keeps trying to reconnect it$/);
    expect(payload).toBe(true);

    const connected = message<Status>(r.node('statuses'), (m) => m.status.fill === 'green');
    port.plug();
    expect((await connected).status).toMatchObject({ shape: 'dot', text: 'connected' });
    r.node('led').receive({ payload: true });
    await r.board.waitForPin(13, (s) => s.value === 1);
  });
});

describe('stemlab-estop', () => {
  it('latches from an input, stops a driving robot, and reports latch and reset', async () => {
    const r = await rig();
    await r.load([
      kitNode,
      { id: 'drive', type: 'stemlab-robot-drive', kit: 'kit', left: 'left', right: 'right', action: '', speed: 150, ms: 0, wires: [[]] },
      { id: 'estop', type: 'stemlab-estop', name: 'big red button', wires: [['estops']] },
      collector('estops'),
      ...watch(['drive']),
    ]);
    await useCatalogs('vi');
    r.node('drive').receive({ payload: 'forward' });
    await r.board.waitForPin(5, (s) => s.value === 150);

    // A false payload (a released button) does nothing.
    r.node('estop').receive({ payload: false });
    expect(r.sa.agent.estop.latched).toBe(false);

    const latched = message(r.node('estops'));
    const stopSign = message<Status>(r.node('statuses'), (m) => m.status.text.startsWith('⛔'));
    // The drive's next re-send is refused: its Catch hears why, in Vietnamese.
    const refused = message<Caught>(r.node('caught'));
    r.node('estop').receive({ payload: 'trigger' });
    expect(await latched).toMatchObject({ topic: 'estop', payload: true, event: 'latched', source: 'node-red:big red button' });
    await r.board.waitForPin(5, (s) => s.value === 0);
    await r.board.waitForPin(6, (s) => s.value === 0);
    expect((await stopSign).status).toMatchObject({ fill: 'red', shape: 'dot', text: '⛔ đang dừng khẩn cấp' });
    const { error } = await refused;
    expect(error.code).toBe('ESTOP_LATCHED');
    expect(error.message).toBe('ESTOP_LATCHED: nút dừng khẩn cấp đang chốt: left không nhận lệnh cho đến khi giáo viên mở chốt');

    const reset = message(r.node('estops'));
    const green = message<Status>(r.node('statuses'), (m) => m.status.fill === 'green');
    r.sa.agent.estop.reset('teacher');
    expect(await reset).toMatchObject({ payload: false, event: 'reset', source: 'teacher' });
    await green;
    // Nothing resumes by itself after a reset.
    expect(r.board.pinState(5).value).toBe(0);
  });
});

describe('stemlab-usage', () => {
  it('tags every kit when deployed, and the chosen kit on input', async () => {
    const r = await rig();
    await r.load([
      kitNode,
      { id: 'all', type: 'stemlab-usage', kit: '', kind: 'lesson', lessonId: 'blink', classId: '6A', clubSessionId: '', onDeploy: true, wires: [[]] },
      { id: 'one', type: 'stemlab-usage', kit: 'kit', kind: 'club-session', lessonId: '', classId: '', clubSessionId: '2026-11-29', onDeploy: false, wires: [['out']] },
      collector('out'),
    ]);
    expect(r.bridge.tags).toEqual([{ purpose: { kind: 'lesson', lessonId: 'blink', classId: '6A', by: 'node-red:tab' }, kits: undefined }]);
    const passed = message(r.node('out'));
    r.node('one').receive({ payload: { kind: 'lesson', lessonId: 'square' } });
    expect(await passed).toMatchObject({ payload: { kind: 'lesson', lessonId: 'square' } });
    expect(r.bridge.tags[1]).toEqual({ purpose: { kind: 'lesson', lessonId: 'square', clubSessionId: '2026-11-29', by: 'node-red:tab' }, kits: ['robot-1'] });
  });

  it('refuses an unknown kind of use', async () => {
    const r = await rig();
    await r.load([kitNode, { id: 'tag', type: 'stemlab-usage', kit: '', kind: 'lesson', onDeploy: false, wires: [[]] }, ...watch(['tag'])]);
    const caught = message<Caught>(r.node('caught'));
    r.node('tag').receive({ payload: { kind: 'party' } });
    expect((await caught).error.code).toBe('PAYLOAD_INVALID');
    expect(r.bridge.tags).toEqual([]);
  });
});

describe('the editor', () => {
  it('lists the kits and their components at /stemlab/kits', async () => {
    await rig();
    await loadFlow([kitNode]);
    const res = await helper.request().get('/stemlab/kits');
    expect(res.status).toBe(200);
    const [kit] = res.body as Array<{ id: string; state: string; components: Array<{ id: string; type: string }> }>;
    expect(kit).toMatchObject({ id: 'robot-1', state: 'connected' });
    expect(kit!.components).toContainEqual({ id: 'sonar', type: 'proximity', label: undefined });
  });
});

describe('without the agent', () => {
  it('says so on the badge and refuses commands', async () => {
    helper.settings({ stemlab: undefined });
    await loadFlow([kitNode, { id: 'led', type: 'stemlab-led', kit: 'kit', component: 'led', action: '', wires: [] }, ...watch(['led'])]);
    await useCatalogs('en-US');
    const caught = message<Caught>(helper.getNode('caught')!);
    helper.getNode('led')!.receive({ payload: true });
    expect((await caught).error).toMatchObject({ code: 'NO_AGENT', message: 'NO_AGENT: no STEMLab agent' });
    const res = await helper.request().get('/stemlab/kits');
    expect(res.status).toBe(503);
  });
});
