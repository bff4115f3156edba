/**
 * PUBACKs in the order the PUBLISH packets arrived, per client [MQTT-4.6.0-2]: MQTT 3.1.1 §4.6
 * says a server MUST acknowledge a client's QoS 1 PUBLISH packets in the order it received them.
 *
 * Aedes writes a QoS 1 PUBLISH's PUBACK when its authorizePublish hook calls back (publish.js,
 * enqueuePublish), and it runs the packets of one socket chunk concurrently (client.js enqueue),
 * so the order of the PUBACKs is the order of those callbacks. The ingest calls back a usage
 * event's hook only after its commit (ingest.ts); every other answer is given at once (a publish
 * the security policy refuses or drops, a dead letter past its quota, a command reply, anything
 * not stored), and would overtake the held ones of the same client. So, per client:
 *
 * - while nothing of the client is held, a hook answers as before: straight to Aedes;
 * - the first QoS 1 publish the ingest holds (hold()) starts the client's *line*: every QoS 1
 *   answer of that client from then on, held or given at once, joins the line's end and is passed
 *   to Aedes only once every answer before it was; the line is gone (nothing left of it) when its
 *   last answer is passed on;
 * - except a refusal given at once with an error (a protocol violation, the publish rate, $SYS):
 *   Aedes closes the connection on it, and does so at once as without a line, so nothing after it
 *   in the chunk is handled. The PUBACKs held for the publishes before it are then never sent
 *   (their commits still answer them, into the closed connection, and empty the line); the client
 *   sends those publishes again when it reconnects, as after any lost connection, and nothing is
 *   acknowledged out of order. (Passed on in its turn instead, the error would let the rest of the
 *   chunk be handled, and Aedes's destroy() drops the PUBACKs written in the same turn anyway.)
 *   A held publish answered with an error (the ledger could not take it) keeps its place in line.
 *
 * An answer given at once behind a held one is recognised without a closure per message: while a
 * client has a line, inOrder() hands the hook below it one shared callback (`behind`) and keeps
 * Aedes's own in `waiting` for the duration of the (synchronous) call. The contract for the hooks
 * below inOrder(): each QoS 1 publish of a live client is either answered before the hook returns,
 * or held with hold(), which takes the real callback, and answered later with answer(). The
 * ingest's entries are the line's nodes themselves (Answer), so a held message costs no object of
 * its own here; an answer given at once behind a held one costs one small node.
 *
 * Nothing per connection: lines live in a WeakMap only while a client has an answer held, so an
 * idle connection (transport/client-memory.ts, docs/scaling.md) carries nothing new.
 * QoS 0 (no acknowledgement), QoS 2 (Aedes's PUBREC follows its own asynchronous storage) and a
 * closing client's will (no PUBACK) pass straight through.
 */
import type { Client, PublishPacket } from 'aedes';

export type Callback = (error?: Error | null) => void;
export type AuthorizePublish = (client: Client | null, packet: PublishPacket, callback: Callback) => void;

/** One publish's answer in its client's line (the ingest's entries are these). */
export interface Answer {
  /** Aedes's callback, until it is called. */
  done: Callback | undefined;
  /** The line it waits in; undefined: answered straight away (no client, not QoS 1). */
  line: Line | undefined;
  /** The answer, once given: null (PUBACK) or the error (Aedes closes the connection). */
  outcome: Error | null | undefined;
  /** The client's next publish in its line. */
  after: Answer | undefined;
}

interface Line {
  client: Client;
  first: Answer;
  last: Answer;
}

export class PubackOrder {
  private readonly lines = new WeakMap<Client, Line>();
  /** Clients with a line now (for tests and metrics). */
  private count = 0;
  /** Aedes's callback of the publish being authorized now, while its client has a line. */
  private waiting: Callback | undefined;
  private waitingClient: Client | undefined;

  /** How many clients have answers held now. */
  get clientsWaiting(): number {
    return this.count;
  }

  /** The hook Aedes calls: `hook`, with its QoS 1 answers kept in order (see the top of this file). */
  inOrder(hook: AuthorizePublish): AuthorizePublish {
    return (client, packet, callback) => {
      if (client === null || packet.qos !== 1 || client.closed || !this.lines.has(client)) return hook(client, packet, callback);
      const outerWaiting = this.waiting;
      const outerClient = this.waitingClient;
      this.waiting = callback;
      this.waitingClient = client;
      let unanswered: boolean;
      try {
        hook(client, packet, this.behind);
      } finally {
        unanswered = this.waiting !== undefined;
        this.waiting = outerWaiting;
        this.waitingClient = outerClient;
      }
      // A hook below went asynchronous without hold(): its answer could never be told apart.
      if (unanswered) throw new Error('an authorizePublish hook under PubackOrder neither answered nor held a QoS 1 publish');
    };
  }

  /**
   * The ingest keeps `node` to answer later (answer()): its callback is `callback`, or, if that is
   * the shared one inOrder() gave, Aedes's. A QoS 1 publish of a live client joins its line.
   */
  hold(client: Client | null, packet: PublishPacket, node: Answer, callback: Callback): void {
    if (callback === this.behind) {
      node.done = this.waiting;
      client = this.waitingClient as Client;
      this.waiting = undefined;
    } else node.done = callback;
    if (client === null || packet.qos !== 1 || client.closed) return;
    this.join(client, node);
  }

  /** The answer of a node held with hold(): passed on now, or once every answer before it was. */
  answer(node: Answer, error: Error | null): void {
    const line = node.line;
    if (line === undefined) {
      const done = node.done;
      node.done = undefined;
      done?.(error);
      return;
    }
    if (node.outcome !== undefined) return; // answered already
    node.outcome = error;
    if (line.first === node) this.release(line);
  }

  /** The hooks' callback while their client has a line: an answer given at once joins its end. */
  private readonly behind: Callback = (error) => {
    const done = this.waiting;
    const client = this.waitingClient;
    if (done === undefined || client === undefined) throw new Error('a QoS 1 publish answered after its hook returned, without PubackOrder.hold()');
    this.waiting = undefined;
    if (error) return done(error); // closes the connection at once (see the top of this file)
    const node: Answer = { done, line: undefined, outcome: null, after: undefined };
    this.join(client, node);
    if (node.line!.first === node) this.release(node.line!);
  };

  private join(client: Client, node: Answer): void {
    let line = this.lines.get(client);
    if (line === undefined) {
      line = { client, first: node, last: node };
      this.lines.set(client, line);
      this.count++;
    } else {
      line.last.after = node;
      line.last = node;
    }
    node.line = line;
  }

  /** Passes on the answers at the head of the line that are given, in order; the line goes once empty. */
  private release(line: Line): void {
    for (;;) {
      const node = line.first;
      // Not given yet; or released already by a release that Aedes's callback below set off.
      if (node.outcome === undefined || node.line !== line) return;
      const { done, outcome, after } = node;
      node.done = undefined;
      node.line = undefined;
      node.after = undefined;
      // Moved on before Aedes is called: what it does next (another publish of this client) finds the line as it is.
      if (after === undefined) {
        this.lines.delete(line.client);
        this.count--;
      } else line.first = after;
      done?.(outcome);
      if (after === undefined) return;
    }
  }
}
