import type { Logger } from './log.ts';

/** Who sent a command: usage tracking counts lessons and people, not the technician's self-test. */
export type CommandOrigin = 'api' | 'mqtt' | 'flow' | 'selftest' | 'demo';

export type KitState = 'connecting' | 'connected' | 'disconnected' | 'fault' | 'stopped';

/** Everything that happens on the gateway, as typed events; extensions (MQTT, usage, Node-RED) listen here. */
export interface AgentEvents {
  /** A kit's link changed: `reason` says why in words a technician understands. */
  'kit:state': { kit: string; state: KitState; reason?: string; at: number };
  /** An actuator took a command (after limits were applied). */
  'component:command': { kit: string; component: string; type: string; command: Record<string, unknown>; origin: CommandOrigin; at: number };
  /** A sensor or button produced a value. */
  'component:reading': { kit: string; component: string; type: string; value: unknown; at: number };
  /** Actuators were brought to a safe stop, and why. */
  'safety:stop': { kit: string; reason: 'watchdog' | 'estop' | 'disconnect' | 'shutdown'; at: number };
  /** A program took a kit (or a teacher handed it over; undefined: freed). See safety/drivers.ts. */
  'kit:driver': { kit: string; driver: string | undefined; at: number };
  /** The emergency stop latched or was reset. */
  'estop': { latched: boolean; source: string; at: number };
  /**
   * A lesson's automatic check ran from the editor's sidebar (the bridge's `checked`): the tab
   * checked, the kits its flow names, who ran it, the verdict and its feedback.
   */
  'lesson:checked': { lessonId: string; tab: string | undefined; kits: string[]; by: string | undefined; status: 'pass' | 'fail' | 'invalid'; message: string; at: number };
}

type Listener<K extends keyof AgentEvents> = (payload: AgentEvents[K]) => void;

/**
 * A typed event bus. A listener that throws is logged, not fatal: one broken extension must
 * not stop the kits or the other extensions.
 */
export class EventBus {
  private readonly listeners = new Map<keyof AgentEvents, Set<Listener<never>>>();

  constructor(private readonly log: Logger) {}

  /** Returns a function that removes the listener. */
  on<K extends keyof AgentEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof AgentEvents>(event: K, payload: AgentEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<K>)(payload);
      } catch (err) {
        this.log.error({ err, event }, 'event listener failed');
      }
    }
  }

  listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }
}
