/**
 * The settings the agent gives `RED.init()` in place of a settings.js: Node-RED's files in the
 * agent's data dir, the STEMLab palette, a palette fit for students (policy.ts), log-in with
 * the classroom accounts, no installs and no calls to the internet, Node-RED's log in the
 * agent's pino log, and the bridge to the agent as `RED.settings.stemlab`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentConfig } from '../config/schema.ts';
import type { Logger } from '../core/log.ts';
import type { StemlabBridge } from '@stemlab/protocol';
import type { StoredAccount } from './accounts.ts';
import type { ExcludedNodes } from './policy.ts';
import { MAX_FLOW_BYTES } from './policy.ts';

/** Where the flows' own HTTP endpoints (http in nodes) answer on the agent's port. */
export const LESSON_API_ROOT = '/lesson-api';

export interface SettingsInput {
  config: AgentConfig;
  userDir: string;
  credentialSecret: string;
  users: (username: string) => Promise<StoredAccount | null>;
  /** The STEMLab palette's package directory, when found. */
  paletteDir: string | undefined;
  excluded: ExcludedNodes;
  bridge: StemlabBridge;
  languageScript: string;
  log: Logger;
  /** The environment hidden from flows; default process.env. */
  environment?: NodeJS.ProcessEnv;
}

export function noderedSettings(input: SettingsInput): Record<string, unknown> {
  const { config, log } = input;
  const { nodered } = config;
  const where = config.label ?? `${config.unit}/${config.gateway}`;
  return {
    userDir: input.userDir,
    flowFile: 'flows.json',
    flowFilePretty: true,
    credentialSecret: input.credentialSecret,
    httpAdminRoot: nodered.editorPath,
    httpNodeRoot: LESSON_API_ROOT,
    lang: nodered.lang,
    // The palette is found by path, so a gateway does not depend on how npm laid out node_modules.
    nodesDir: input.paletteDir ? [input.paletteDir] : [],
    nodesExcludes: input.excluded.files,
    externalModules: {
      autoInstall: false,
      // Of the node packages Node-RED finds, only the STEMLab palette loads; nothing installs.
      palette: { allowInstall: false, allowUpdate: false, allowUpload: false, allowList: ['@stemlab/flows'], denyList: ['*'] },
      modules: { allowInstall: false, denyList: ['*'] },
    },
    functionExternalModules: false,
    functionGlobalContext: {},
    // Flows read environment variables ($env() in JSONata, 'env' typed inputs, ${NAME} in a node's
    // property, a tab's env entry of type env) through Node-RED's getSetting, which ends at
    // process.env: the agent's own environment (tokens, passwords, database URLs, paths), readable
    // by any student's change or switch node. Node-RED's envVarExcludes hides names, and it takes
    // them once, at init: every name the agent's process has then. Flows see the env set in the
    // editor (their tab's, group's, the global one) and Node-RED's NR_* names, nothing else.
    envVarExcludes: Object.keys(input.environment ?? process.env),
    // A function node (when a teacher allows it) stuck in a loop is stopped after this many seconds.
    functionTimeout: 5,
    exportGlobalContextKeys: false,
    adminAuth: {
      type: 'credentials',
      users: input.users,
      sessionExpiryTime: Math.round(nodered.sessionHours * 3600),
    },
    apiMaxLength: `${MAX_FLOW_BYTES / (1024 * 1024)}mb`,
    diagnostics: { enabled: false, ui: false },
    telemetry: { enabled: false, updateNotification: false },
    runtimeState: { enabled: false, ui: false },
    // The STEMLab palette first: it is what the lessons use.
    paletteCategories: ['STEMLab', 'subflows', 'common', 'function', 'network', 'sequence', 'parser', 'storage'],
    editorTheme: {
      page: { title: `STEMLab – ${where}`, scripts: [input.languageScript] },
      header: { title: `STEMLab · ${where}` },
      palette: { editable: false },
      projects: { enabled: false },
      tours: false,
      codeEditor: { lib: 'monaco' },
    },
    logging: { stemlab: { level: noderedLevel(config.log.level), audit: true, metrics: false, handler: () => pinoHandler(log) } },
    stemlab: input.bridge,
  };
}

/** The credential secret that encrypts flows_cred.json: drawn once per gateway, kept in the user dir. */
export function credentialSecret(userDir: string): string {
  const file = join(userDir, 'credential-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    // Never fall back to Node-RED's own key silently: the flows' credentials would no longer decrypt.
    if (secret.length < 32) throw new Error(`${file} is damaged (the credential secret is too short); restore it from a backup, or delete it and flows_cred.json to start without node credentials`);
    return secret;
  }
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

function noderedLevel(level: AgentConfig['log']['level']): string {
  return level === 'silent' ? 'off' : level;
}

interface RedLogMessage {
  level: number;
  msg?: unknown;
  type?: string;
  id?: string;
  name?: string;
  event?: string;
  [key: string]: unknown;
}

const LEVELS: Record<number, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'> = { 10: 'fatal', 20: 'error', 30: 'warn', 40: 'info', 50: 'debug', 60: 'trace' };
const AUDIT = 98;
/** Audit events worth an info line: log-ins, refusals and deploys; the rest (every GET) is debug. */
const NOTABLE = /^(auth\.|permission\.fail|flows\.set|flow\.(add|update|remove)|nodes\.)/;

function pinoHandler(log: Logger): (msg: RedLogMessage) => void {
  return (msg) => {
    if (msg.level === AUDIT) {
      const { level: _level, timestamp: _timestamp, ...audit } = msg;
      log[NOTABLE.test(msg.event ?? '') ? 'info' : 'debug']({ audit }, `audit ${msg.event ?? ''}`);
      return;
    }
    const level = LEVELS[msg.level];
    if (!level) return; // metrics
    const node = msg.type ? { node: { type: msg.type, id: msg.id, name: msg.name } } : {};
    if (msg.msg instanceof Error) log[level]({ ...node, err: msg.msg }, msg.msg.message);
    else log[level](node, typeof msg.msg === 'string' ? msg.msg.trim() : JSON.stringify(msg.msg));
  };
}
