/**
 * The middleware in front of Node-RED's admin API routes that change flows or act on running
 * nodes (POST /flows, POST /flow, PUT /flow/:id, DELETE /flow/:id; POST /inject/:id, POST
 * /debug/:id/:state, POST /debug/:state): Node-RED's own log-in check first (its bearer tokens,
 * so `req.user` is the account), then the classroom's rules, then Node-RED's handler.
 *
 * - Anyone: no excluded node type (exec, file, watch; function unless enabled) → 403
 *   NODE_TYPE_FORBIDDEN; a malformed or oversized flow → 400 FLOW_INVALID / 413 FLOW_TOO_LARGE;
 *   a single-flow change whose node ids are used elsewhere (Node-RED would keep both, and
 *   the other tab's owner could not deploy again) → 400 FLOW_INVALID.
 * - A student: only the tabs they own (owners.ts: their own, their club team's; ownership.ts),
 *   never who owns a tab → 403 NOT_YOUR_FLOW, with the message in
 *   Vietnamese and English (the editor shows it in its "Deploy failed" notice). A student's
 *   "Full" deploy is applied as "Modified flows", so it does not restart every robot's flow,
 *   and "Restart flows" is the teacher's. Students press the inject buttons and switch the
 *   debug nodes of their own tabs only.
 * - The teacher: anything else.
 *
 * Deploys are judged atomically (deploy-lock.ts): each route that changes flows holds one lock
 * from its check until Node-RED has answered, so what was judged is what is deployed when
 * Node-RED applies it. A student's deploy made from older flows (its revision is not the
 * deployed one) is answered 409 here, under the lock, as Node-RED would (the editor offers its
 * merge); it never goes on unjudged. Students deploy with Node-RED-API-Version v2 (the
 * editor's), which carries that revision.
 */
import type { Logger } from '../core/log.ts';
import { DeployLock } from './deploy-lock.ts';
import { bilingual, NodeRedError, type NodeRedErrorCode } from './errors.ts';
import { assertPlaced, forbiddenError, forbiddenNodes, parseFlow } from './flow-check.ts';
import { ownersOf, owns, sameOwners, withOwners } from './owners.ts';
import { assertIdsFree, assertOwnTargets, checkStudentDeploy, notYourNode, notYourOwners, notYourTab, tabOfNode, teacherOnly } from './ownership.ts';
import { isTeacher, MAX_FLOW_BYTES } from './policy.ts';
import type { Express, ExpressApp, FlowNode, Middleware, NodeRed, Request, Response } from './red.ts';

export interface GuardOptions {
  red: NodeRed;
  /** Node types refused in any deploy. */
  forbiddenTypes: readonly string[];
  log: Logger;
  /** Shared with whatever else changes the flows in this process; default: the guard's own. */
  lock?: DeployLock;
}

const statusOf: Partial<Record<NodeRedErrorCode, number>> = {
  NOT_YOUR_FLOW: 403,
  NODE_TYPE_FORBIDDEN: 403,
  FLOW_INVALID: 400,
  FLOW_TOO_LARGE: 413,
  DEPLOY_STALE: 409,
};

export function adminGuard(express: Express, options: GuardOptions): ExpressApp {
  const { red, forbiddenTypes, log } = options;
  const lock = options.lock ?? new DeployLock();
  const router = express.Router();
  const auth = red.auth.needsPermission('flows.write');
  /** Holds the deploy lock from here until the response is sent (or the client went away). */
  const serialized: Middleware = (req, res, next) => {
    lock.acquire().then((release) => {
      res.once('finish', release);
      res.once('close', release);
      next();
    }, next);
  };
  // The same parser family as Node-RED's: it marks the body parsed, so Node-RED's skips it.
  const json = express.json({ limit: MAX_FLOW_BYTES });

  const current = (): { flows: FlowNode[]; rev: string } => red.nodes.getFlows() ?? { flows: [], rev: '' };
  const checkTypes = (nodes: unknown, what: string): FlowNode[] => {
    const flow = parseFlow(nodes, what);
    const forbidden = forbiddenNodes(flow, forbiddenTypes);
    if (forbidden.length > 0) throw forbiddenError(forbidden);
    return flow;
  };

  /** Runs a rule; a NodeRedError answers the request, anything else goes to Node-RED's handler. */
  const rule =
    (check: (req: Request, student: string | undefined) => void): Middleware =>
    (req, res, next) => {
      // Node-RED's check lets a request through without a user only when log-in is off; ours never is.
      if (!req.user) {
        res.status(401).end();
        return;
      }
      const student = isTeacher(req.user) ? undefined : req.user.username;
      try {
        check(req, student);
      } catch (err) {
        if (!(err instanceof NodeRedError)) return next(err);
        refuse(res, err, req, log);
        return;
      }
      next();
    };

  router.post(
    '/flows',
    auth,
    json,
    serialized,
    rule((req, student) => {
      const type = (req.get('Node-RED-Deployment-Type') ?? 'full').toLowerCase();
      if (type === 'reload') {
        if (student) throw teacherOnly('khởi động lại mọi luồng của lớp', 'restart every flow of the class');
        return;
      }
      const v2 = (req.get('Node-RED-API-Version') ?? 'v1').toLowerCase() === 'v2';
      const body = (v2 ? req.body : { flows: req.body }) as { flows?: unknown; rev?: unknown } | undefined;
      const flows = checkTypes(body?.flows, 'the deployed flows');
      if (!student) return;
      if (!v2) {
        throw new NodeRedError('FLOW_INVALID', 'a student deploys with the header Node-RED-API-Version: v2 (as the editor does), so the deploy is checked against the flows it was made from');
      }
      const deployed = current();
      // Made from older flows: refused here, under the lock, as Node-RED would (the editor offers
      // its merge). Passing it on unjudged would let it land after a deploy that is still saving.
      if (typeof body?.rev === 'string' && body.rev !== deployed.rev) {
        throw new NodeRedError(
          'DEPLOY_STALE',
          bilingual('Luồng đã được người khác triển khai trong lúc em sửa: hãy gộp (merge) rồi triển khai lại', 'The flows were deployed by someone else while you edited: merge, then deploy again'),
        );
      }
      assertPlaced(flows, 'the deployed flows');
      req.body = { ...body, flows: checkStudentDeploy(deployed.flows, flows, student), rev: deployed.rev };
      if (type === 'full') req.headers['node-red-deployment-type'] = 'flows';
    }),
  );

  router.post(
    '/flow',
    auth,
    json,
    serialized,
    rule((req, student) => {
      const body = (req.body ?? {}) as { nodes?: unknown; configs?: unknown; env?: unknown; label?: unknown };
      const nodes = checkTypes([...asArray(body.nodes), ...asArray(body.configs)], 'the new flow');
      assertIdsFree(nodes, current().flows, undefined);
      if (!student) return;
      // A new tab is the student's alone: a team's tab is the teacher's to give.
      const claimed = ownersOf(body);
      if (claimed.length > 0 && !sameOwners(claimed, [student])) throw notYourOwners({ id: '', type: 'tab', label: body.label }, [], claimed);
      assertOwnTargets(asStored(current().flows, NEW_TAB, nodes, [student]), new Set([NEW_TAB]), student);
      req.body = withOwners(body, [student]);
    }),
  );

  router.put(
    '/flow/:id',
    auth,
    json,
    serialized,
    rule((req, student) => {
      const body = (req.body ?? {}) as { nodes?: unknown; configs?: unknown; subflows?: unknown; env?: unknown };
      const id = req.params.id!;
      const nodes = checkTypes([...asArray(body.nodes), ...asArray(body.configs), ...asArray(body.subflows)], 'the flow');
      if (id !== 'global') assertIdsFree(nodes, current().flows, id);
      if (!student) return;
      if (id === 'global') throw teacherOnly('sửa các khối cấu hình và luồng con dùng chung', 'change the shared config nodes and subflows');
      const tab = current().flows.find((n) => n.type === 'tab' && n.id === id);
      if (!tab) return; // Node-RED answers 404
      const owners = ownersOf(tab);
      if (!owners.includes(student)) throw notYourTab(tab, owners);
      // Any owner may change the tab, none may change who owns it; no stamp keeps the owners.
      const claimed = ownersOf(body);
      if (claimed.length > 0 && !sameOwners(claimed, owners)) throw notYourOwners(tab, owners, claimed);
      assertOwnTargets(asStored(current().flows, id, nodes, owners), new Set([id]), student);
      req.body = withOwners(body, owners);
    }),
  );

  router.delete(
    '/flow/:id',
    auth,
    serialized,
    rule((req, student) => {
      if (!student) return;
      const tab = current().flows.find((n) => n.type === 'tab' && n.id === req.params.id);
      if (tab && !owns(tab, student)) throw notYourTab(tab, ownersOf(tab));
    }),
  );

  // Node-RED lets anyone with inject.write / debug.write press any inject button and switch any
  // debug node by id; a student's reach is their own tabs (a node elsewhere, or unknown, is refused).
  const ownNodes =
    (ids: (req: Request) => readonly unknown[]): ((req: Request, student: string | undefined) => void) =>
    (req, student) => {
      if (!student) return;
      const flows = current().flows;
      for (const id of ids(req)) {
        const tab = tabOfNode(flows, typeof id === 'string' ? id : '');
        if (!tab || !owns(tab, student)) throw notYourNode(tab, ownersOf(tab));
      }
    };
  router.post('/inject/:id', red.auth.needsPermission('inject.write'), rule(ownNodes((req) => [req.params.id])));
  router.post('/debug/:id/:state', red.auth.needsPermission('debug.write'), rule(ownNodes((req) => [req.params.id])));
  router.post(
    '/debug/:state',
    red.auth.needsPermission('debug.write'),
    json,
    rule(ownNodes((req) => asArray((req.body as { nodes?: unknown } | undefined)?.nodes))),
  );

  // A body the parser refused (too large, not JSON) answers in the same envelope.
  router.use((err: { status?: number; type?: string; message?: string }, req: Request, res: Response, next: (err?: unknown) => void) => {
    if (err?.type === 'entity.too.large') return refuse(res, new NodeRedError('FLOW_TOO_LARGE', `the request is larger than ${MAX_FLOW_BYTES / 1024} KB`), req, log);
    if (err?.type === 'entity.parse.failed') return refuse(res, new NodeRedError('FLOW_INVALID', `the request body is not JSON: ${err.message ?? ''}`), req, log);
    next(err);
  });
  return router;
}

function refuse(res: Response, err: NodeRedError, req: Request, log: Logger): void {
  log.warn({ user: req.user?.username, code: err.code, path: req.path }, err.message);
  res.status(statusOf[err.code] ?? 400).json({ code: err.code, message: err.message });
}

/** The id the single-flow API's new tab stands under until Node-RED names it. */
const NEW_TAB = '\u0000new-flow';

/** The flows as Node-RED's single-flow API would store them: tab `id` (of `owners`) holding `nodes`. */
function asStored(flows: readonly FlowNode[], id: string, nodes: readonly FlowNode[], owners: readonly string[]): FlowNode[] {
  const others = flows.filter((n) => n.id !== id && n.z !== id);
  return [...others, withOwners({ id, type: 'tab' } as FlowNode, owners), ...nodes.map((n) => ({ ...n, z: id }))];
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
