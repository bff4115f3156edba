/**
 * What the classroom's Node-RED offers and who may do what: the one place these rules live.
 *
 * Nodes left out (Node-RED's `nodesExcludes` takes core node *files*; deploys are checked by
 * *type*, so each entry says both):
 * - exec: runs any shell command as the agent's user, which also drives the kits' serial ports
 *   and the e-stop line. Never offered.
 * - file, file in: read and write any file the agent can: the config, the editor accounts'
 *   hashes, the credential secret, the usage outbox. Never offered.
 * - watch: reports file-system changes anywhere the agent can read (paths, names). Never offered.
 * - function: JavaScript in a `vm` context, which is not a security boundary (it reaches
 *   `process` in one line). Off unless a teacher sets `nodered.allowFunctionNode`.
 * - the network nodes (http in/response/request, mqtt, websocket, tcp, udp, tls, proxy): a flow
 *   with them reaches the agent's local API on 127.0.0.1, whose e-stop reset and commands need
 *   no log-in, i.e. around the path the palette keeps the safety in; and the internet beyond
 *   the room. They also cost ~10–15 MB of the gateway's memory. Off unless a teacher sets
 *   `nodered.networkNodes` (an IoT lesson in a lab).
 */

export interface ExcludedNodes {
  /** Core node files for Node-RED's `nodesExcludes`. */
  files: string[];
  /** The node types those files define, refused in any deploy. */
  types: string[];
}

/** Why a node type is left out, which decides what the refusal tells the student. */
export type ExclusionReason = 'never' | 'function' | 'network';

interface Exclusion {
  file: string;
  types: readonly string[];
  reason: ExclusionReason;
}

const EXCLUSIONS: readonly Exclusion[] = [
  { file: '90-exec.js', types: ['exec'], reason: 'never' },
  { file: '10-file.js', types: ['file', 'file in'], reason: 'never' },
  { file: '23-watch.js', types: ['watch'], reason: 'never' },
  { file: '10-function.js', types: ['function'], reason: 'function' },
  { file: '21-httpin.js', types: ['http in', 'http response'], reason: 'network' },
  { file: '21-httprequest.js', types: ['http request'], reason: 'network' },
  { file: '10-mqtt.js', types: ['mqtt in', 'mqtt out', 'mqtt-broker'], reason: 'network' },
  { file: '22-websocket.js', types: ['websocket in', 'websocket out', 'websocket-listener', 'websocket-client'], reason: 'network' },
  { file: '31-tcpin.js', types: ['tcp in', 'tcp out', 'tcp request'], reason: 'network' },
  { file: '32-udp.js', types: ['udp in', 'udp out'], reason: 'network' },
  { file: '05-tls.js', types: ['tls-config'], reason: 'network' },
  { file: '06-httpproxy.js', types: ['http proxy'], reason: 'network' },
];

export function excludedNodes(options: { allowFunctionNode: boolean; networkNodes: boolean }): ExcludedNodes {
  const entries = EXCLUSIONS.filter((e) => e.reason === 'never' || (e.reason === 'function' && !options.allowFunctionNode) || (e.reason === 'network' && !options.networkNodes));
  return { files: entries.map((e) => e.file), types: entries.flatMap((e) => e.types) };
}

/** Why `type` is excluded (when it is). */
export function exclusionReason(type: string): ExclusionReason | undefined {
  return EXCLUSIONS.find((e) => e.types.includes(type))?.reason;
}

export const TEACHER = 'teacher';
/** The lab technician: checks kits (self-test, faults, e-stop reset) on the console; reads the editor, deploys nothing. */
export const TECHNICIAN = 'technician';
export const studentName = (n: number) => `student-${n}`;
export const STUDENT_NAME = /^student-[1-9][0-9]{0,2}$/;

/**
 * Node-RED permissions (editor-api/lib/auth/permissions.js). A student reads everything (Node-RED
 * cannot hide one flow from another user), deploys (flows.write, narrowed to their own tabs by
 * guard.ts), presses inject buttons and switches debug nodes. Not: nodes.write (no palette
 * changes), library.write (the library is the teacher's, shared by all), context.write,
 * settings.write, projects.
 */
export const permissions = {
  teacher: '*',
  student: ['read', 'flows.write', 'inject.write', 'debug.write'],
  technician: ['read'],
} as const;

export function isTeacher(user: { username: string; permissions: string | readonly string[] } | undefined): boolean {
  return user?.permissions === '*' || (Array.isArray(user?.permissions) && user.permissions.includes('*'));
}

/** The tab `env` entry that records which student made a tab (absent: the teacher's). */
export const OWNER_ENV = 'STEMLAB_OWNER';

/** Largest flow a deploy may carry, in bytes of JSON and in nodes: a whole room's lessons fit many times over. */
export const MAX_FLOW_BYTES = 2 * 1024 * 1024;
export const MAX_FLOW_NODES = 5000;
