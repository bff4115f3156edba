/** Node-RED flow nodes as the editor makes them, for the guard's tests. */
import type { FlowNode } from '../../src/nodered/red.ts';

export const tab = (id: string, label: string, extra: Partial<FlowNode> = {}): FlowNode => ({ id, type: 'tab', label, disabled: false, info: '', env: [], ...extra });
export const comment = (id: string, z: string, name: string): FlowNode => ({ id, type: 'comment', z, name, info: '', x: 150, y: 60, wires: [] });
