/**
 * The gateways' emergency stops, as the central knows them: each agent publishes its retained
 * state (the birth) with `estop: { latched, at, source }` after connecting and again on every
 * latch and reset (edge-agent/src/mqtt/mqtt-extension.ts). The board listens to those states on
 * the broker itself (an internal subscription: in a cluster it hears every node's gateways) and
 * reads the retained ones when it starts, so that a central restarted while a room's e-stop is
 * latched still shows it. Nothing is written to the ledger: the retained state is the record.
 *
 * Rules: an online state sets the latch (no `estop` field: an older agent, taken as not latched);
 * an offline state (the will, written at connect time) says nothing about the latch, so the last
 * known one is kept; an empty retained payload (cleared) forgets the gateway.
 */
import type { Aedes, PublishPacket } from 'aedes';
import { gatewayStateSchema, TOPIC_ROOT } from '@stemlab/protocol';
import { parsedTopic } from '../parsed-topics.ts';

export interface EstopState {
  latched: boolean;
  /** When it latched or was last reset (the gateway's clock), if the agent said. */
  at: number | null;
  /** Who latched it (or reset it, once reset): 'console', 'button', 'mqtt'... */
  source: string | null;
}

export interface EstopChange {
  unit: string;
  gateway: string;
  estop: EstopState;
}

const STATE_TOPICS = `${TOPIC_ROOT}/+/+/state`;

export class EstopBoard {
  private readonly states = new Map<string, EstopState & { unit: string; gateway: string }>();
  private readonly listeners = new Set<(change: EstopChange) => void>();

  /** The gateway's e-stop as last heard; undefined when never heard (or never latched and reset). */
  get(unit: string, gateway: string): EstopState | undefined {
    const s = this.states.get(`${unit}/${gateway}`);
    return s && { latched: s.latched, at: s.at, source: s.source };
  }

  /** Every gateway whose e-stop is latched now. */
  latched(): EstopChange[] {
    return [...this.states.values()].filter((s) => s.latched).map(({ unit, gateway, ...estop }) => ({ unit, gateway, estop }));
  }

  /** Called on each change of a gateway's latch (not on a repeated birth that changes nothing). Returns the remover. */
  onChange(listener: (change: EstopChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A state message on `topic` (its raw payload): applies it; returns whether the latch changed. */
  observe(topic: string, payload: Buffer | string): boolean {
    const t = parsedTopic(topic);
    if (t?.kind !== 'gateway-state') return false;
    const key = `${t.unit}/${t.gateway}`;
    const before = this.states.get(key);
    if (payload.length === 0) {
      this.states.delete(key);
      return this.announce(t.unit, t.gateway, before, undefined);
    }
    let json: unknown;
    try {
      json = JSON.parse(payload.toString());
    } catch {
      return false; // the ingest dead-letters it; nothing to learn here
    }
    const parsed = gatewayStateSchema.safeParse(json);
    if (!parsed.success || parsed.data.status === 'offline') return false;
    const e = parsed.data.estop;
    const next = { unit: t.unit, gateway: t.gateway, latched: e?.latched ?? false, at: e?.at ?? null, source: e?.source ?? null };
    this.states.set(key, next);
    return this.announce(t.unit, t.gateway, before, next);
  }

  /**
   * Listens on the broker: the retained states first (what was latched before this central
   * started), then every state published. A state heard live before the retained read ends wins.
   */
  async attach(broker: Aedes): Promise<void> {
    const heard = new Set<string>();
    const live = (packet: PublishPacket, callback: () => void) => {
      heard.add(packet.topic);
      this.observe(packet.topic, packet.payload);
      callback();
    };
    await new Promise<void>((resolve) => broker.subscribe(STATE_TOPICS, live, resolve));
    const retained = ((broker as unknown as { persistence: unknown }).persistence as { createRetainedStreamCombi(patterns: string[]): AsyncIterable<PublishPacket> }).createRetainedStreamCombi([STATE_TOPICS]);
    for await (const packet of retained) {
      if (!heard.has(packet.topic)) this.observe(packet.topic, packet.payload);
    }
  }

  private announce(unit: string, gateway: string, before: EstopState | undefined, after: EstopState | undefined): boolean {
    const was = before?.latched ?? false;
    const now = after?.latched ?? false;
    if (was === now && (before?.at ?? null) === (after?.at ?? null)) return false;
    const change = { unit, gateway, estop: after ?? { latched: false, at: null, source: null } };
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure (a closed stream) must not stop the others.
      }
    }
    return true;
  }
}
