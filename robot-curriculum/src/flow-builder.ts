/**
 * Builds a lesson's Node-RED flow as the editor exports it: one tab, its nodes laid out on a
 * grid, the lesson's stemlab-usage node (tags the lesson on deploy) and one stemlab-kit config
 * node (the same id in every lesson, so a gateway's lessons share one kit node per robot). Ids
 * are derived from the lesson, the variant and the node's name, so writing the programme
 * again gives the same files.
 */
import { createHash } from 'node:crypto';

export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  wires?: string[][];
  [key: string]: unknown;
}

/**
 * The kit config node of each kit profile: the same id in every lesson of the profile (the
 * robot's is the id the first lessons have always used), so a gateway's lessons share it.
 */
export const KIT_NODES = {
  robot: { id: 'd7ec658e7f21b45f', name: 'Robot 1', kit: 'robot-1' },
  automation: { id: '5b0a7d2e9c41f036', name: 'Bảng tự động hoá 1 / Automation board 1', kit: 'board-1' },
} as const;

export interface Handle {
  id: string;
  node: FlowNode;
  /** Wire output `output` (default 0) to these nodes; returns the handle. */
  to(...targets: Handle[]): Handle;
  out(output: number, ...targets: Handle[]): Handle;
}

export interface Builder {
  /** A node at grid column `col`, row `row`; `name` is bilingual ("vi / en") and unique in the flow. */
  node(type: string, name: string, props: Record<string, unknown>, at: [col: number, row: number]): Handle;
  inject(name: string, props: { payload?: unknown; payloadType?: string; repeat?: number; once?: boolean; onceDelay?: number }, at: [number, number]): Handle;
  comment(name: string, info: string, at: [number, number]): Handle;
}

const OUTPUTS: Record<string, number> = {
  'stemlab-led': 0,
  'stemlab-buzzer': 0,
  'stemlab-servo': 0,
  'stemlab-ultrasonic': 2,
  'stemlab-thermometer': 2,
  'stemlab-analog': 2,
  comment: 0,
};

export interface FlowHeader {
  lessonId: string;
  variant: 'starter' | 'solution';
  /** The tab's label. */
  label: string;
  /** The tab's description (both languages). */
  info: string;
  profile: keyof typeof KIT_NODES;
}

export function buildFlow(header: FlowHeader, body: (b: Builder) => void): FlowNode[] {
  const hash = (what: string) => createHash('sha256').update(`${header.lessonId}/${header.variant}/${what}`).digest('hex').slice(0, 16);
  const tab = hash('tab');
  const nodes: FlowNode[] = [{ id: tab, type: 'tab', label: header.label, disabled: false, info: header.info }];
  const names = new Set<string>();
  const kit = KIT_NODES[header.profile];
  const handle = (node: FlowNode): Handle => {
    const h: Handle = {
      id: node.id,
      node,
      to: (...targets) => h.out(0, ...targets),
      out(output, ...targets) {
        const wires = node.wires!;
        while (wires.length <= output) wires.push([]);
        wires[output]!.push(...targets.map((t) => t.id));
        return h;
      },
    };
    return h;
  };
  const b: Builder = {
    node(type, name, props, [col, row]) {
      if (names.has(name)) throw new Error(`${header.lessonId}/${header.variant}: two nodes named ${name}`);
      names.add(name);
      const outputs = OUTPUTS[type] ?? 1;
      const stemlab = type.startsWith('stemlab-');
      const node: FlowNode = { id: hash(name), type, z: tab, name, ...(stemlab ? { kit: kit.id } : {}), ...props, x: 160 + col * 230, y: 80 + row * 60 };
      if (outputs > 0) node.wires = Array.from({ length: outputs }, () => []);
      nodes.push(node);
      return handle(node);
    },
    inject(name, p, at) {
      return b.node(
        'inject',
        name,
        {
          props: [{ p: 'payload' }],
          repeat: p.repeat === undefined ? '' : String(p.repeat),
          crontab: '',
          once: p.once ?? false,
          onceDelay: String(p.onceDelay ?? 0.1),
          topic: '',
          payload: p.payload === undefined ? '' : typeof p.payload === 'string' ? p.payload : JSON.stringify(p.payload),
          payloadType: p.payloadType ?? (p.payload === undefined ? 'date' : typeof p.payload === 'string' ? 'str' : typeof p.payload === 'number' ? 'num' : typeof p.payload === 'boolean' ? 'bool' : 'json'),
        },
        at,
      );
    },
    comment(name, info, at) {
      return b.node('comment', name, { info }, at);
    },
  };
  body(b);
  b.node('stemlab-usage', `bài học ${header.lessonId} / lesson ${header.lessonId}`, { kind: 'lesson', lessonId: header.lessonId, classId: '', clubSessionId: '', onDeploy: true }, [0, 12]);
  nodes.push({ id: kit.id, type: 'stemlab-kit', name: kit.name, kit: kit.kit });
  return nodes;
}

/** Node helpers for the palette's nodes with their editor defaults, so lessons read like the editor. */
export const palette = {
  led: (component = 'led', action = '') => ({ component, action, ms: 500 }),
  buzzer: (action = 'tone', frequency = 880, ms = 200) => ({ component: 'buzzer', action, frequency, ms }),
  servo: (component: string, action = '', degrees = 90) => ({ component, action, degrees }),
  drive: (action = '', speed = 150, ms = 0) => ({ left: 'left-motor', right: 'right-motor', action, speed, ms }),
  button: () => ({ component: 'button', press: true, hold: false, release: true }),
  sonar: (threshold: number | '' = 20, hysteresis = 5) => ({ component: 'sonar', threshold, hysteresis }),
  line: (threshold = 512) => ({ component: 'line', threshold, invert: false }),
  thermometer: (threshold: number | '' = '', hysteresis = 0) => ({ component: 'temp', threshold, hysteresis }),
  /** A switch node on msg.payload with these rules (Node-RED's rule objects). */
  switch: (rules: Array<Record<string, unknown>>, property = 'payload', propertyType = 'msg') => ({ property, propertyType, rules, checkall: 'false', repair: false, outputs: rules.length }),
  /** A change node setting msg.payload (or another property) to a value. */
  set: (to: unknown, tot = typeof to === 'string' ? 'str' : typeof to === 'number' ? 'num' : typeof to === 'boolean' ? 'bool' : 'json', p = 'payload', pt = 'msg') => ({
    rules: [{ t: 'set', p, pt, to: typeof to === 'string' ? to : JSON.stringify(to), tot }],
    action: '',
    property: '',
    from: '',
    to: '',
    reg: false,
  }),
  debug: (name = 'payload') => ({ active: true, tosidebar: true, console: false, tostatus: true, complete: name, targetType: 'msg', statusVal: name, statusType: 'auto' }),
  delay: (seconds: number) => ({ pauseType: 'delay', timeout: String(seconds), timeoutUnits: 'seconds', rate: '1', nbRateUnits: '1', rateUnits: 'second', randomFirst: '1', randomLast: '5', randomUnits: 'seconds', drop: false, allowrate: false, outputs: 1 }),
  /** A trigger node: send `first`, then `second` after `seconds` (extend: a new message restarts the wait). */
  trigger: (first: unknown, second: unknown, seconds: number, extend = false) => ({
    op1: typeof first === 'string' ? first : JSON.stringify(first),
    op2: typeof second === 'string' ? second : JSON.stringify(second),
    op1type: typeof first === 'string' ? 'str' : typeof first === 'number' ? 'num' : typeof first === 'boolean' ? 'bool' : 'json',
    op2type: typeof second === 'string' ? 'str' : typeof second === 'number' ? 'num' : typeof second === 'boolean' ? 'bool' : 'json',
    duration: String(seconds),
    units: 's',
    extend,
    overrideDelay: false,
    reset: '',
    bytopic: 'all',
    topic: 'topic',
    outputs: 1,
  }),
};
