/**
 * A StemlabBridge over an Agent, for the palette's tests. Deliberately small: the production
 * bridge is edge-agent's (edge-agent/src/nodered/), and these tests should run on it unchanged
 * once it exists; swap `agentBridge` for it then. Commands carry the 'flow' origin, as the
 * agent's usage tracking expects of Node-RED; tagging is recorded (after checking the purpose
 * against the protocol's schema) since no usage tracker runs here.
 */
import { purposeSchema, type Purpose } from '@stemlab/protocol';
import type { Agent } from '../../../edge-agent/src/agent.ts';
import type { StemlabBridge } from '../../../edge-agent/src/nodered/bridge.ts';

export interface TestBridge extends StemlabBridge {
  /** Every tag(), in order. */
  readonly tags: Array<{ purpose: Purpose; kits: readonly string[] | undefined }>;
}

export function agentBridge(agent: Agent): TestBridge {
  const tags: TestBridge['tags'] = [];
  return {
    gateway: { unit: agent.config.unit, gateway: agent.config.gateway },
    kits() {
      return agent.config.kits.map((kit) => {
        const { state, reason } = agent.kit(kit.id).status();
        return { id: kit.id, label: kit.label, state, reason, components: kit.components.map((c) => ({ id: c.id, type: c.type, label: c.label })) };
      });
    },
    command: (kit, component, command) => agent.command(kit, component, command, 'flow'),
    value: (kit, component) => agent.kit(kit).device(component).value(),
    kitState(kit) {
      const { state, reason } = agent.kit(kit).status();
      return { state, reason };
    },
    onKitState: (listener) => agent.bus.on('kit:state', ({ kit, state, reason }) => listener({ kit, state, ...(reason !== undefined ? { reason } : {}) })),
    onReading: (listener) => agent.bus.on('component:reading', ({ kit, component, type, value }) => listener({ kit, component, type, value })),
    onEstop: (listener) => agent.bus.on('estop', ({ latched, source }) => listener({ latched, source })),
    estop: { latched: () => agent.estop.latched, trigger: (source) => agent.estop.trigger(source) },
    tag(purpose, kits) {
      tags.push({ purpose: purposeSchema.parse(purpose), kits });
    },
    tags,
  };
}
