/**
 * The agent's side of the StemlabBridge (the contract in protocol/src/bridge.ts): what the palette in flows/ reaches as
 * `RED.settings.stemlab`. Every command goes through `agent.command(..., 'flow')`, so the
 * agent's validation, limits, watchdog, e-stop and usage tracking see lesson flows as flows.
 * Listeners the palette takes are tracked, so `dispose()` releases any a node failed to.
 */
import { describeIssues, purposeSchema, type Purpose } from '@stemlab/protocol';
import type { Agent } from '../agent.ts';
import { AgentError } from '../core/errors.ts';
import type { CheckedVerdict, CheckRequest, StemlabBridge } from '@stemlab/protocol';

/** Where usage tags go: the agent's UsageTracker, when the gateway runs one. */
export interface UsageTagger {
  tag(purpose: Purpose, kits?: readonly string[]): void;
}

/**
 * Who may submit a check of which tab: the room console's club sessions (club/sessions.ts),
 * set once the club is up (it is built after Node-RED). Throws when the tab is another team's.
 */
export interface CheckJudge {
  mayCheck(by: string | undefined, tab: string | undefined): void;
}

export interface AgentBridge extends StemlabBridge {
  /** Remove every listener still registered through this bridge. */
  dispose(): void;
}

export function createBridge(agent: Agent, usage?: UsageTagger, judge?: () => CheckJudge | undefined): AgentBridge {
  const offs = new Set<() => void>();
  const log = agent.log.child({ module: 'nodered-bridge' });
  const track = (off: () => void): (() => void) => {
    const remove = () => {
      off();
      offs.delete(remove);
    };
    offs.add(remove);
    return remove;
  };

  return {
    gateway: { unit: agent.config.unit, gateway: agent.config.gateway },
    watchdogMs: agent.config.safety.watchdogMs,
    kits() {
      return agent.config.kits.map((kit) => {
        const { state, reason } = agent.kit(kit.id).status();
        return { id: kit.id, label: kit.label, state, reason, components: kit.components.map((c) => ({ id: c.id, type: c.type, label: c.label })) };
      });
    },
    command: (kit, component, command, driver) => agent.command(kit, component, command, 'flow', driver ? `flow:${driver}` : 'flow'),
    value: (kit, component) => agent.kit(kit).device(component).value(),
    kitState(kit) {
      const { state, reason } = agent.kit(kit).status();
      return { state, reason };
    },
    onKitState: (listener) => track(agent.bus.on('kit:state', ({ kit, state, reason }) => listener({ kit, state, ...(reason !== undefined ? { reason } : {}) }))),
    onReading: (listener) => track(agent.bus.on('component:reading', ({ kit, component, type, value }) => listener({ kit, component, type, value }))),
    onEstop: (listener) => track(agent.bus.on('estop', ({ latched, source }) => listener({ latched, source }))),
    estop: {
      latched: () => agent.estop.latched,
      trigger: (source) => agent.estop.trigger(source),
    },
    tag(purpose, kits) {
      const parsed = purposeSchema.safeParse(purpose);
      if (!parsed.success) {
        throw new AgentError('COMMAND_INVALID', `the usage tag does not fit: ${describeIssues(parsed.error, 'purpose')}`);
      }
      for (const kit of kits ?? []) agent.kit(kit);
      if (usage) usage.tag(parsed.data, kits);
      else log.debug({ purpose: parsed.data, kits }, 'usage tag dropped: this gateway runs no usage tracker');
    },
    mayCheck(request) {
      const r = request as Partial<CheckRequest> | undefined;
      judge?.()?.mayCheck(text(r?.by, 64), text(r?.tab, 100));
    },
    checked(verdict) {
      const v = verdict as Partial<CheckedVerdict> | undefined;
      const lessonId = text(v?.lessonId, 100);
      if (!lessonId || (v?.status !== 'pass' && v?.status !== 'fail' && v?.status !== 'invalid')) {
        throw new AgentError('COMMAND_INVALID', "a check's verdict needs lessonId and status 'pass', 'fail' or 'invalid'");
      }
      const kits = Array.isArray(v.kits) ? v.kits.filter((k): k is string => typeof k === 'string').slice(0, 20) : [];
      agent.bus.emit('lesson:checked', { lessonId, tab: text(v.tab, 100), kits, by: text(v.by, 64), status: v.status, message: text(v.message, 4000) ?? '', at: Date.now() });
    },
    dispose() {
      for (const off of [...offs]) off();
    },
  };
}

/** A non-empty string from the palette, cut to `max` characters; undefined otherwise. */
function text(x: unknown, max: number): string | undefined {
  return typeof x === 'string' && x.length > 0 ? x.slice(0, max) : undefined;
}
