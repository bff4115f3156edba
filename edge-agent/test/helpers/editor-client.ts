/**
 * Node-RED's admin API as the editor and the teachers' tools call it, for tests of the editor
 * in the agent: log-in (from a chosen local address: the loopback network is 127.0.0.0/8, so
 * one test plays several computers of a room), bearer tokens, JSON requests.
 */
import { request } from 'node:http';
import type { NewAccounts } from '../../src/nodered/accounts.ts';
import type { FlowNode } from '../../src/nodered/red.ts';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The password of each account `setupEditorAccounts` made: the teacher's and the students'. */
export function passwordsOf(accounts: NewAccounts): (username: string) => string {
  return (username) => {
    if (username === 'teacher') return accounts.teacher.password;
    const student = accounts.students.find((s) => s.username === username);
    if (!student) throw new Error(`no account ${username}`);
    return student.password;
  };
}

export class EditorClient {
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly base: string,
    private readonly passwords: (username: string) => string,
  ) {}

  /** One HTTP request; a JSON answer is parsed, anything else kept as text. */
  send(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; from?: string } = {}): Promise<Answer> {
    const url = new URL(path.replace(/^\//, ''), `${this.base}/`);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: false,
          ...(options.from ? { localAddress: options.from } : {}),
          headers: { accept: 'application/json', ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The editor's log-in (scope '' asks for the account's own rights, as its dialog does). */
  login(username: string, password = this.passwords(username), from?: string): Promise<Answer> {
    return this.send('POST', '/auth/token', {
      body: { client_id: 'node-red-editor', grant_type: 'password', scope: '', username, password },
      ...(from ? { from } : {}),
    });
  }

  async token(username: string): Promise<string> {
    let value = this.tokens.get(username);
    if (!value) {
      const res = await this.login(username);
      if (res.status !== 200) throw new Error(`log-in as ${username} answered ${res.status}: ${JSON.stringify(res.body)}`);
      value = (res.body as { access_token: string }).access_token;
      this.tokens.set(username, value);
    }
    return value;
  }

  /** An admin API request as `username` (none: without a token), in the editor's API version. */
  async admin(username: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const auth: Record<string, string> = username ? { authorization: `Bearer ${await this.token(username)}` } : {};
    return this.send(method, path, { ...(body !== undefined ? { body } : {}), headers: { 'Node-RED-API-Version': 'v2', ...auth, ...headers } });
  }

  /** The deployed workspace and its revision, as the teacher's editor loads it. */
  async flows(): Promise<{ flows: FlowNode[]; rev: string }> {
    const res = await this.admin('teacher', 'GET', '/flows');
    if (res.status !== 200) throw new Error(`GET /flows answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as { flows: FlowNode[]; rev: string };
  }

  /** Deploy as the editor does: the whole workspace, with the revision it was made from. */
  deploy(username: string, all: FlowNode[], rev?: string, type = 'full'): Promise<Answer> {
    return this.admin(username, 'POST', '/flows', { flows: all, ...(rev ? { rev } : {}) }, { 'Node-RED-Deployment-Type': type });
  }
}
