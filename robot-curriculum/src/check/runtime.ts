/**
 * The Node-RED runtime a check runs the student's flow in: the real Node-RED 4.1 with the
 * STEMLab palette and the core nodes a classroom gateway offers (the same exclusions,
 * edge-agent/src/nodered/policy.ts), no editor, no HTTP, flows kept in memory. Node-RED is a
 * singleton per process (edge-agent/src/nodered/red.ts), so a check process starts it once
 * and deploys one flow after another; the bridge the palette reaches (`RED.settings.stemlab`)
 * points at the agent of the check being run.
 */
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageDir } from '@stemlab/flows';
import type { StemlabBridge } from '@stemlab/protocol';
import { excludedNodes } from '../../../edge-agent/src/nodered/policy.ts';
import { loadNodeRed, type FlowNode, type NodeRed } from '../../../edge-agent/src/nodered/red.ts';

/** The node types refused in a check, as on a gateway where no teacher enabled function or network nodes. */
export const excluded = excludedNodes({ allowFunctionNode: false, networkNodes: false });

export interface LogEntry {
  level: 'error' | 'warn';
  node?: { id?: string; type?: string; name?: string };
  message: string;
}

export interface CheckRuntime {
  red: NodeRed;
  /** Point the palette at this bridge (the agent of the check being run). */
  useBridge(bridge: StemlabBridge | undefined): void;
  /** Errors and warnings the flow's nodes logged since the last call. */
  takeLog(): LogEntry[];
  deploy(flows: FlowNode[]): Promise<void>;
}

/** A bridge that forwards to the current check's agent (the palette keeps the object it was given). */
function forwardingBridge(current: () => StemlabBridge | undefined): StemlabBridge {
  const target = (): StemlabBridge => {
    const bridge = current();
    if (!bridge) throw Object.assign(new Error('no check is running'), { code: 'NO_AGENT' });
    return bridge;
  };
  return {
    get gateway() {
      return current()?.gateway ?? { unit: 'check', gateway: 'check' };
    },
    // The palette re-sends motions at a fraction of the current check's window (500 ms: the agent's default).
    get watchdogMs() {
      return current()?.watchdogMs ?? 500;
    },
    kits: () => current()?.kits() ?? [],
    command: (kit, component, command) => target().command(kit, component, command),
    value: (kit, component) => target().value(kit, component),
    kitState: (kit) => current()?.kitState(kit) ?? { state: 'disconnected', reason: 'no check is running' },
    onKitState: (l) => current()?.onKitState(l) ?? (() => {}),
    onReading: (l) => current()?.onReading(l) ?? (() => {}),
    onEstop: (l) => current()?.onEstop(l) ?? (() => {}),
    estop: { latched: () => current()?.estop.latched() ?? false, trigger: (source) => target().estop.trigger(source) },
    tag: (purpose, kits) => current()?.tag(purpose, kits),
  };
}

/** Memory storage: the check writes no files (Node-RED's storage API, lib/storage). */
function memoryStorage() {
  let flows: unknown[] = [];
  let credentials = {};
  let settings = {};
  let sessions = {};
  return {
    init: async () => {},
    getFlows: async () => flows,
    saveFlows: async (f: unknown[]) => void (flows = f),
    getCredentials: async () => credentials,
    saveCredentials: async (c: object) => void (credentials = c),
    getSettings: async () => settings,
    saveSettings: async (s: object) => void (settings = s),
    getSessions: async () => sessions,
    saveSessions: async (s: object) => void (sessions = s),
    getLibraryEntry: async () => [],
    saveLibraryEntry: async () => {},
  };
}

const LEVELS: Record<number, LogEntry['level']> = { 10: 'error', 20: 'error', 30: 'warn' };

export async function startCheckRuntime(lang: 'vi' | 'en'): Promise<CheckRuntime> {
  const red = loadNodeRed();
  let bridge: StemlabBridge | undefined;
  let log: LogEntry[] = [];
  red.init(createServer(), {
    userDir: mkdtempSync(join(tmpdir(), 'stemlab-check-')),
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    lang: lang === 'vi' ? 'vi' : 'en-US',
    nodesDir: [packageDir],
    nodesExcludes: excluded.files,
    storageModule: memoryStorage(),
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    functionExternalModules: false,
    diagnostics: { enabled: false },
    telemetry: { enabled: false, updateNotification: false },
    runtimeState: { enabled: false },
    credentialSecret: 'stemlab-check',
    logging: {
      check: {
        level: 'warn',
        metrics: false,
        audit: false,
        handler: () => (msg: { level: number; msg?: unknown; type?: string; id?: string; name?: string }) => {
          const level = LEVELS[msg.level];
          if (!level) return;
          const text = msg.msg instanceof Error ? msg.msg.message : typeof msg.msg === 'string' ? msg.msg : JSON.stringify(msg.msg);
          log.push({ level, ...(msg.type ? { node: { id: msg.id, type: msg.type, name: msg.name } } : {}), message: text });
        },
      },
    },
    stemlab: forwardingBridge(() => bridge),
  });
  await red.start();
  return {
    red,
    useBridge(b) {
      bridge = b;
    },
    takeLog() {
      const out = log;
      log = [];
      return out;
    },
    async deploy(flows) {
      const user = { username: 'check', permissions: '*' };
      // setFlows answers before the new flows have started (Node-RED starts them "asynchronously
      // to the actual start"); the run begins when they have, announced as runtime-deploy.
      const events = (red as unknown as { events: { on(e: string, l: (ev: { id: string }) => void): void; off(e: string, l: (ev: { id: string }) => void): void } }).events;
      let listener: (ev: { id: string }) => void = () => {};
      const started = new Promise<void>((resolve) => {
        listener = (ev) => ev.id === 'runtime-deploy' && resolve();
        events.on('runtime-event', listener);
      });
      try {
        await red.runtime.flows.setFlows({ flows: { flows }, deploymentType: 'full', user });
        await started;
      } finally {
        events.off('runtime-event', listener);
      }
    },
  };
}
