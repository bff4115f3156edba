/**
 * The middleware in front of Node-RED's admin API deploy routes (POST /flows, POST /flow,
 * PUT /flow/:id, DELETE /flow/:id): Node-RED's own log-in check first (its bearer tokens, so
 * `req.user` is the account), then the classroom's rules, then Node-RED's handler.
 *
 * - Anyone: no excluded node type (exec, file, watch; function unless enabled) → 403
 *   NODE_TYPE_FORBIDDEN; a malformed or oversized flow → 400 FLOW_INVALID / 413 FLOW_TOO_LARGE.
 * - A student: only their own tabs (ownership.ts) → 403 NOT_YOUR_FLOW, with the message in
 *   Vietnamese and English (the editor shows it in its "Deploy failed" notice). A student's
 *   "Full" deploy is applied as "Modified flows", so it does not restart every robot's flow,
 *   and "Restart flows" is the teacher's. A student's editor deploys with the revision it was
 *   made from; a stale one goes on to Node-RED untouched, which answers 409 and the editor
 *   offers its merge. Students deploy with Node-RED-API-Version v2 (the editor's), whose
 *   revision lets Node-RED refuse a deploy that raced another one.
 * - The teacher: anything else.
 */
import type { Logger } from '../core/log.ts';
import { NodeRedError, type NodeRedErrorCode } from './errors.ts';
import { assertPlaced, forbiddenError, forbiddenNodes, parseFlow } from './flow-check.ts';
import { checkStudentDeploy, notYourTab, ownerOf, teacherOnly, withOwner } from './ownership.ts';
import { isTeacher, MAX_FLOW_BYTES } from './policy.ts';
import type { Express, ExpressApp, FlowNode, Middleware, NodeRed, Request, Response } from './red.ts';

export interface GuardOptions {
  red: NodeRed;
  /** Node types refused in any deploy. */
  forbiddenTypes: readonly string[];
  log: Logger;
}

const statusOf: Partial<Record<NodeRedErrorCode, number>> = {
  NOT_YOUR_FLOW: 403,
  NODE_TYPE_FORBIDDEN: 403,
  FLOW_INVALID: 400,
  FLOW_TOO_LARGE: 413,
};

export function adminGuard(express: Express, options: GuardOptions): ExpressApp {
  const { red, forbiddenTypes, log } = options;
  const router = express.Router();
  const auth = red.auth.needsPermission('flows.write');
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
      // A deploy made from older flows: Node-RED refuses it (409) and the editor offers a merge.
      if (typeof body?.rev === 'string' && body.rev !== deployed.rev) return;
      assertPlaced(flows, 'the deployed flows');
      req.body = { ...body, flows: checkStudentDeploy(deployed.flows, flows, student), rev: deployed.rev };
      if (type === 'full') req.headers['node-red-deployment-type'] = 'flows';
    }),
  );

  router.post(
    '/flow',
    auth,
    json,
    rule((req, student) => {
      const body = (req.body ?? {}) as { nodes?: unknown; configs?: unknown; env?: unknown; label?: unknown };
      checkTypes([...asArray(body.nodes), ...asArray(body.configs)], 'the new flow');
      if (!student) return;
      const owner = ownerOf(body as FlowNode);
      if (owner && owner !== student) throw notYourTab({ id: '', type: 'tab', label: body.label }, owner);
      req.body = withOwner(body, student);
    }),
  );

  router.put(
    '/flow/:id',
    auth,
    json,
    rule((req, student) => {
      const body = (req.body ?? {}) as { nodes?: unknown; configs?: unknown; subflows?: unknown; env?: unknown };
      checkTypes([...asArray(body.nodes), ...asArray(body.configs), ...asArray(body.subflows)], 'the flow');
      if (!student) return;
      const id = req.params.id!;
      if (id === 'global') throw teacherOnly('sửa các khối cấu hình và luồng con dùng chung', 'change the shared config nodes and subflows');
      const tab = current().flows.find((n) => n.type === 'tab' && n.id === id);
      if (!tab) return; // Node-RED answers 404
      const owner = ownerOf(tab);
      if (owner !== student) throw notYourTab(tab, owner);
      const claimed = ownerOf(body as FlowNode);
      if (claimed && claimed !== student) throw notYourTab({ ...tab, env: body.env }, claimed);
      req.body = withOwner(body, student);
    }),
  );

  router.delete(
    '/flow/:id',
    auth,
    rule((req, student) => {
      if (!student) return;
      const tab = current().flows.find((n) => n.type === 'tab' && n.id === req.params.id);
      if (tab && ownerOf(tab) !== student) throw notYourTab(tab, ownerOf(tab));
    }),
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

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
