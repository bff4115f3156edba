import type { Purpose } from '@stemlab/protocol';

/**
 * What the STEMLab Node-RED palette (flows/) may do with the agent it runs in. Node-RED nodes
 * reach it as `RED.settings.stemlab`; every command goes through the agent, so its validation,
 * limits, watchdog, e-stop and usage tracking are always in the path, never around it.
 */
export interface StemlabBridge {
  gateway: { unit: string; gateway: string };
  /** The kits of this gateway and their components, for the editor's drop-downs. */
  kits(): Array<{
    id: string;
    label: string | undefined;
    state: string;
    reason: string | undefined;
    components: Array<{ id: string; type: string; label: string | undefined }>;
  }>;
  /** Send a component a command (protocol/src/commands.ts); throws an error with `code` and `message` when refused. */
  command(kit: string, component: string, command: Record<string, unknown>): Record<string, unknown>;
  /** The latest value of a component (sensor reading, actuator state). */
  value(kit: string, component: string): unknown;
  kitState(kit: string): { state: string; reason: string | undefined };
  /** Each returns a function that removes the listener (call it in the node's 'close'). */
  onKitState(listener: (event: { kit: string; state: string; reason?: string }) => void): () => void;
  onReading(listener: (event: { kit: string; component: string; type: string; value: unknown }) => void): () => void;
  onEstop(listener: (event: { latched: boolean; source: string }) => void): () => void;
  estop: { latched(): boolean; trigger(source: string): void };
  /** Usage tagging: what follows on these kits (all when absent) is this lesson/class/club session. */
  tag(purpose: Purpose, kits?: readonly string[]): void;
}
