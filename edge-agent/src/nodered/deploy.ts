/**
 * Deploying a lesson from the teacher's side (the MQTT command "deploy this lesson to every
 * robot of the club" calls it on each gateway): through Node-RED's runtime API
 * (`RED.runtime.flows.getFlows` / `setFlows`, the calls behind the admin API's GET and
 * POST /flows), with the flows checked first (flow-check.ts) and the flows it replaced kept
 * for `rollback()`, in memory and in {dataDir}/nodered/flows.before-lesson.json so that a
 * rollback still works after the agent restarts.
 *
 * Modes:
 * - 'replace-tab': the lesson's tabs replace the tabs with the same ids (or are added), with
 *   their global config nodes and subflows replaced by id; every other tab stays and keeps
 *   running (deployment type "flows").
 * - 'full': the lesson becomes all the flows of the gateway.
 *
 * Node credentials (passwords of an MQTT broker node...) of nodes a deploy removes are deleted
 * by Node-RED with the nodes; a rollback brings the nodes back without them.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Logger } from '../core/log.ts';
import type { DeployLock } from './deploy-lock.ts';
import { NodeRedError } from './errors.ts';
import { assertInstalled, assertPlaced, forbiddenError, forbiddenNodes, parseFlow } from './flow-check.ts';
import { withOwners } from './owners.ts';
import { STUDENT_NAME, TEACHER } from './policy.ts';
import type { FlowNode, NodeRed, RedUser } from './red.ts';

export type DeployMode = 'replace-tab' | 'full';

export interface DeployOptions {
  mode: DeployMode;
  /**
   * Give the lesson's tabs to this account (a student edits their copy), or to these accounts
   * together (a team's tab: any of them may change it); the teacher's when absent or 'teacher'.
   */
  owner?: string | readonly string[];
  /** Who deploys, for Node-RED's audit log (a teacher's name, "mqtt"). */
  by?: string;
}

export interface DeployResult {
  /** The revision of the flows now deployed. */
  rev: string;
  /** The revision the rollback returns to. */
  previousRev: string;
  mode: DeployMode;
  /** The ids of the lesson's tabs. */
  tabs: string[];
  nodes: number;
}

interface Saved {
  savedAt: string;
  rev: string;
  flows: FlowNode[];
}

export class LessonDeployer {
  private previous: Saved | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly red: NodeRed,
    private readonly options: {
      forbiddenTypes: readonly string[];
      /** Where the replaced flows are kept for a rollback. */
      previousFile: string;
      log: Logger;
      /** The editor guard's lock: a lesson deploy and the editor's deploys take turns. */
      lock?: DeployLock;
    },
  ) {}

  /** Check `flows` and deploy them; throws a NodeRedError (FLOW_INVALID, NODE_TYPE_FORBIDDEN...) that says what is wrong. */
  deployLesson(flows: unknown, options: DeployOptions): Promise<DeployResult> {
    return this.serial(async () => {
      const { mode, owner } = options;
      if (mode !== 'replace-tab' && mode !== 'full') throw new NodeRedError('FLOW_INVALID', `mode must be 'replace-tab' or 'full', not ${JSON.stringify(mode)}`);
      const owners = owner === undefined || owner === TEACHER ? [] : typeof owner === 'string' ? [owner] : [...owner];
      if (owners.some((name) => typeof name !== 'string' || !STUDENT_NAME.test(name))) {
        throw new NodeRedError('FLOW_INVALID', `owner must be 'teacher', a student account such as 'student-3' or a list of them, not ${JSON.stringify(owner)}`);
      }
      let lesson = parseFlow(flows, 'the lesson');
      const forbidden = forbiddenNodes(lesson, this.options.forbiddenTypes);
      if (forbidden.length > 0) throw forbiddenError(forbidden);
      assertPlaced(lesson, 'the lesson');
      const tabs = lesson.filter((n) => n.type === 'tab').map((n) => n.id);
      if (tabs.length === 0) throw new NodeRedError('FLOW_INVALID', 'the lesson has no tab: export it from the editor with "all flows" or "current flow"');
      if (owners.length > 0) lesson = lesson.map((n) => (n.type === 'tab' ? withOwners(n, owners) : n));

      const user: RedUser = { username: options.by ?? 'lesson-deploy', permissions: '*' };
      for (let attempt = 0; ; attempt++) {
        const current = await this.red.runtime.flows.getFlows({ user });
        assertInstalled(lesson, (type) => this.red.nodes.getType(type) !== undefined, mode === 'full' ? [] : current.flows);
        const next = mode === 'full' ? lesson : merge(current.flows, lesson);
        try {
          const { rev } = await this.red.runtime.flows.setFlows({
            flows: { flows: next, rev: current.rev },
            deploymentType: mode === 'full' ? 'full' : 'flows',
            user,
          });
          this.keep({ savedAt: new Date().toISOString(), rev: current.rev, flows: current.flows });
          this.options.log.info({ mode, tabs, nodes: lesson.length, rev, by: user.username }, 'lesson deployed');
          return { rev, previousRev: current.rev, mode, tabs, nodes: lesson.length };
        } catch (err) {
          // Someone deployed in the editor between our read and our write: read again, once.
          if ((err as { code?: string }).code !== 'version_mismatch') throw err;
          if (attempt >= 1) throw new NodeRedError('DEPLOY_CONFLICT', 'the flows changed twice while the lesson was being deployed (someone is deploying in the editor); deploy the lesson again');
        }
      }
    });
  }

  /** Go back to the flows before the last lesson deploy (once); NOTHING_TO_ROLL_BACK when there is none. */
  rollback(options: { by?: string } = {}): Promise<{ rev: string; restoredRev: string }> {
    return this.serial(async () => {
      const saved = this.previous ?? this.load();
      if (!saved) throw new NodeRedError('NOTHING_TO_ROLL_BACK', 'no lesson was deployed on this gateway since its flows were last rolled back, so there are no previous flows to return to');
      const user: RedUser = { username: options.by ?? 'lesson-deploy', permissions: '*' };
      const current = await this.red.runtime.flows.getFlows({ user });
      const { rev } = await this.red.runtime.flows.setFlows({ flows: { flows: saved.flows, rev: current.rev }, deploymentType: 'flows', user });
      this.previous = undefined;
      rmSync(this.options.previousFile, { force: true });
      this.options.log.info({ rev, restoredRev: saved.rev, by: user.username }, 'lesson rolled back');
      return { rev, restoredRev: saved.rev };
    });
  }

  /** Whether there are previous flows to roll back to. */
  get canRollBack(): boolean {
    return (this.previous ?? this.load()) !== undefined;
  }

  private keep(saved: Saved): void {
    this.previous = saved;
    const tmp = `${this.options.previousFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(saved), { mode: 0o600 });
    renameSync(tmp, this.options.previousFile);
  }

  private load(): Saved | undefined {
    try {
      const saved = JSON.parse(readFileSync(this.options.previousFile, 'utf8')) as Saved;
      return Array.isArray(saved.flows) ? (this.previous = saved) : undefined;
    } catch {
      return undefined;
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const locked = async () => {
      const release = await this.options.lock?.acquire();
      try {
        return await work();
      } finally {
        release?.();
      }
    };
    const run = this.queue.then(locked, locked);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * `current` with the lesson's tabs (and their nodes), global config nodes and subflows
 * replaced by id, each in its place; new ones at the end. A lesson node whose id another
 * tab uses is refused: replacing it would tear that tab apart.
 */
function merge(current: readonly FlowNode[], lesson: readonly FlowNode[]): FlowNode[] {
  const byId = new Map(lesson.map((n) => [n.id, n]));
  const replaced = new Set(lesson.filter((n) => n.type === 'tab' || n.type === 'subflow').map((n) => n.id));
  const tabLabel = (id: string | undefined) => {
    const tab = current.find((n) => n.id === id);
    return typeof tab?.label === 'string' ? tab.label : (id ?? '?');
  };
  for (const node of current) {
    if (byId.has(node.id) && node.z && !replaced.has(node.z)) {
      throw new NodeRedError(
        'FLOW_INVALID',
        `the lesson's node '${node.id}' has the id of a node on the flow "${tabLabel(node.z)}", which the lesson does not replace; import the lesson in the editor as a copy (new ids), or deploy with mode 'full'`,
      );
    }
  }
  const out: FlowNode[] = [];
  const placed = new Set<string>();
  for (const node of current) {
    const incoming = byId.get(node.id);
    if (incoming) {
      out.push(incoming);
      placed.add(node.id);
    } else if (!(node.z && replaced.has(node.z))) out.push(node);
  }
  for (const node of lesson) if (!placed.has(node.id)) out.push(node);
  return out;
}
