/**
 * Node-RED 4.1 hosted inside the agent's process, as a library, on the agent's own HTTP server
 * (HttpApi): the lessons drive kits through the agent (the bridge), never around it.
 *
 * On the agent's port:
 *   /api/v1/..., /healthz    the local API (HttpApi's own routes, unchanged)
 *   /lesson-api/...          the flows' HTTP endpoints (RED.httpNode; http in nodes)
 *   {nodered.editorPath}     the editor and its admin API (RED.httpAdmin: /auth/token, /flows,
 *                            /nodes, /settings...), default '/', behind log-in (accounts.ts)
 *                            and the classroom guard on deploys (guard.ts)
 * HttpApi hands these requests over through `fallback()`, and Node-RED's editor takes its
 * websocket (/comms) from `httpServer`'s upgrade event.
 *
 * Start the HttpApi before this extension (`agent.use(api)` first). One process hosts one
 * Node-RED, once (red.ts): a second agent with Node-RED in the same process is refused with
 * NODERED_IN_USE. Without editor accounts the extension logs how to create them and stays off,
 * and the kits carry on.
 *
 * Node-RED 4.1 leaves one timer behind after `RED.stop()`: the session expiry of its admin
 * auth (editor-api/lib/auth/tokens.js, up to `sessionHours` long, module-private so it cannot
 * be cleared). A process that stopped the agent should exit explicitly rather than wait for
 * the event loop to empty.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Agent } from '../agent.ts';
import type { HttpApi } from '../api/http.ts';
import type { Extension } from '../core/extension.ts';
import { accountLookup, accountsFile, editorDir, readEditorAccounts } from './accounts.ts';
import { createBridge, type AgentBridge, type CheckJudge, type UsageTagger } from './bridge-impl.ts';
import { DeployLock } from './deploy-lock.ts';
import { LessonDeployer, type DeployOptions, type DeployResult } from './deploy.ts';
import { NodeRedError } from './errors.ts';
import { adminGuard } from './guard.ts';
import { loginGuard } from './login-guard.ts';
import { LoginLimiter } from './login-limit.ts';
import { registerVietnamese, writeLanguageScript } from './locales.ts';
import { excludedNodes, isTeacher } from './policy.ts';
import { claimNodeRed, loadBcrypt, loadExpress, loadNodeRed, type Middleware, type FlowNode, type NodeRed, type Request, type Response } from './red.ts';
import { credentialSecret, LESSON_API_ROOT, noderedSettings } from './settings.ts';

export interface NodeRedExtensionOptions {
  /** Where the palette's usage nodes send their tags (the agent's UsageTracker). */
  usage?: UsageTagger;
  /** The STEMLab palette's package directory; default: flows/ of this repository. */
  paletteDir?: string;
  /** The log-in limits' clock, in ms (default: monotonic); tests move it instead of waiting 10 minutes. */
  loginClock?: () => number;
}

export type NodeRedState = 'stopped' | 'disabled' | 'no-accounts' | 'running';

/** The editor account a request carries (its bearer token), for pages mounted beside the editor. */
export interface EditorUser {
  username: string;
  teacher: boolean;
}

/**
 * A page or API mounted beside the editor (see mount()): `path` is the request's path below the
 * mount point ('/' for the mount point itself); `user` is the editor account whose bearer token
 * the request carries, or undefined without one (a page's own files may be public, its data not).
 */
export type MountedHandler = (req: IncomingMessage, res: ServerResponse, context: { path: string; user: EditorUser | undefined }) => void;

interface Running {
  red: NodeRed;
  bridge: AgentBridge;
  lessons: LessonDeployer;
  release(): void;
}

const defaultPaletteDir = fileURLToPath(new URL('../../../flows/', import.meta.url));

export class NodeRedExtension implements Extension {
  readonly name = 'nodered';
  private running: Running | undefined;
  private status: NodeRedState = 'stopped';
  private readonly mounts: Array<{ prefix: string; handler: MountedHandler }> = [];
  private checkJudge: CheckJudge | undefined;

  constructor(
    private readonly agent: Agent,
    private readonly api: HttpApi,
    private readonly options: NodeRedExtensionOptions = {},
  ) {}

  get state(): NodeRedState {
    return this.status;
  }

  /** The editor's URL on the agent's port, once started. */
  get editorUrl(): string {
    return `${this.api.url}${this.agent.config.nodered.editorPath}`;
  }

  /**
   * Serve `prefix` (e.g. '/robot-view') beside the editor, behind its log-in: a request with an
   * `Authorization: Bearer` token (the editor's, from /auth/token) reaches `handler` with its
   * account once Node-RED has checked it (401 if invalid or expired); one without reaches it with
   * no user. For composition roots (a simulated robot's live view); may be called at any time.
   */
  mount(prefix: string, handler: MountedHandler): void {
    if (!/^\/[a-z0-9-]+$/.test(prefix)) throw new Error(`mount path '${prefix}' must look like /robot-view`);
    if (prefix === LESSON_API_ROOT || this.mounts.some((m) => m.prefix === prefix)) throw new Error(`mount path '${prefix}' is taken`);
    this.mounts.push({ prefix, handler });
  }

  /** Who may submit a check of which tab from the editor's sidebar (the club sessions); may be set at any time. */
  judgeChecks(judge: CheckJudge): void {
    this.checkJudge = judge;
  }

  /** The deployed tab `id` (its env names its owners, owners.ts), or undefined when not deployed or Node-RED is not running. */
  deployedTab(id: string): FlowNode | undefined {
    return this.running?.red.nodes.getFlows()?.flows.find((n) => n.type === 'tab' && n.id === id);
  }

  /** Deploy a lesson's flows (deploy.ts); NODERED_NOT_RUNNING when Node-RED is off. */
  async deployLesson(flows: unknown, options: DeployOptions): Promise<DeployResult> {
    return this.lessons().deployLesson(flows, options);
  }

  /** Back to the flows before the last lesson deploy. */
  async rollback(options: { by?: string } = {}): Promise<{ rev: string; restoredRev: string }> {
    return this.lessons().rollback(options);
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { config } = this.agent;
    const { nodered } = config;
    const log = this.agent.log.child({ module: 'nodered' });
    if (!nodered.enabled) {
      this.status = 'disabled';
      log.info('Node-RED is off (nodered.enabled: false)');
      return;
    }
    try {
      readEditorAccounts(config.dataDir);
    } catch (err) {
      if (!(err instanceof NodeRedError)) throw err;
      // The kits, the local API and MQTT work without the editor: say what to do, do not crash.
      this.status = 'no-accounts';
      log.error({ code: err.code }, `Node-RED not started: ${err.message}`);
      return;
    }

    const claim = claimNodeRed(`${config.unit}/${config.gateway}`);
    const userDir = editorDir(config.dataDir);
    const bridge = createBridge(this.agent, this.options.usage, () => this.checkJudge);
    let started: NodeRed | undefined;
    try {
      mkdirSync(userDir, { recursive: true, mode: 0o700 });
      const excluded = excludedNodes(nodered);
      const paletteDir = this.options.paletteDir ?? defaultPaletteDir;
      const hasPalette = existsSync(join(paletteDir, 'package.json'));
      if (!hasPalette) log.warn({ paletteDir }, 'the STEMLab palette is missing: lessons will show unknown nodes');
      const red = loadNodeRed();
      const express = loadExpress();
      // One change to the flows at a time: the editor's deploys and the lessons the teacher deploys.
      const lock = new DeployLock();
      const users = accountLookup(accountsFile(config.dataDir), (err) => log.error({ err }, 'cannot read the editor accounts: nobody can log in'));
      red.init(
        this.api.httpServer,
        noderedSettings({
          config,
          userDir,
          credentialSecret: credentialSecret(userDir),
          users,
          paletteDir: hasPalette ? paletteDir : undefined,
          excluded,
          bridge,
          languageScript: writeLanguageScript(userDir, nodered.lang),
          log,
        }),
      );
      const app = express();
      app.disable('x-powered-by');
      app.use(LESSON_API_ROOT, red.httpNode);
      app.use(this.mounted(red.auth.needsPermission('read')));
      app.use(
        nodered.editorPath,
        loginGuard(express, { limiter: new LoginLimiter({}, this.options.loginClock), users, bcrypt: loadBcrypt(), log }),
        adminGuard(express, { red, forbiddenTypes: excluded.types, log, lock }),
        red.httpAdmin,
      );
      this.api.fallback(app);
      started = red;
      await red.start();
      await registerVietnamese(userDir, log);
      const lessons = new LessonDeployer(red, { forbiddenTypes: excluded.types, previousFile: join(userDir, 'flows.before-lesson.json'), log, lock });
      this.running = { red, bridge, lessons, release: claim.release };
      this.status = 'running';
      log.info(
        { editorPath: nodered.editorPath, lessonApi: LESSON_API_ROOT, version: red.version, excluded: excluded.types, userDir },
        config.http.host === '127.0.0.1' || config.http.host === 'localhost'
          ? 'Node-RED started; the editor answers on this machine only (set http.host: 0.0.0.0 for the room)'
          : 'Node-RED started',
      );
    } catch (err) {
      this.api.fallback(undefined);
      await started?.stop().catch((stopErr: unknown) => log.warn({ err: stopErr }, 'Node-RED did not stop cleanly after failing to start'));
      bridge.dispose();
      claim.release();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    this.status = 'stopped';
    if (!running) return;
    this.api.fallback(undefined);
    try {
      await running.red.stop();
    } finally {
      running.bridge.dispose();
      running.release();
    }
  }

  /** The middleware that hands mounted paths to their handlers, checking a bearer token when there is one. */
  private mounted(auth: Middleware): Middleware {
    return (req: Request, res: Response, next) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const mount = this.mounts.find((m) => path === m.prefix || path.startsWith(`${m.prefix}/`));
      if (!mount) return next();
      const serve = () => {
        const user = req.user ? { username: req.user.username, teacher: isTeacher(req.user) } : undefined;
        try {
          mount.handler(req, res, { path: path.slice(mount.prefix.length) || '/', user });
        } catch (err) {
          next(err);
        }
      };
      if (req.headers.authorization) auth(req, res, (err) => (err ? next(err) : serve()));
      else serve();
    };
  }

  private lessons(): LessonDeployer {
    if (!this.running) {
      throw new NodeRedError('NODERED_NOT_RUNNING', `Node-RED is not running on gateway '${this.agent.config.gateway}' (${this.status}); see the agent's log`);
    }
    return this.running.lessons;
  }
}
