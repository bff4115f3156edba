import { describe, expect, it } from 'vitest';
import { lessonFlows } from '../src/nodered/lessons.ts';

// `stemlab lesson deploy LESSON --kits robot-1,robot-2`: one tab per robot, each its own copy.

describe('a lesson for several kits', () => {
  it('gives each kit its own tab, node ids, kit config node and wires', () => {
    const one = lessonFlows('obstacle', 'solution');
    const flows = lessonFlows('obstacle', 'solution', ['robot-1', 'robot-2']);
    expect(flows).toHaveLength(one.length * 2);
    const ids = flows.map((n) => n.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    const tabs = flows.filter((n) => n.type === 'tab');
    expect(tabs.map((t) => t.label)).toEqual([`${String(one[0]!.label)} – robot-1`, `${String(one[0]!.label)} – robot-2`]);
    for (const [i, kit] of ['robot-1', 'robot-2'].entries()) {
      const copy = flows.slice(i * one.length, (i + 1) * one.length);
      const own = new Set(copy.map((n) => n.id));
      const kitNode = copy.find((n) => n.type === 'stemlab-kit')!;
      expect(kitNode.kit).toBe(kit);
      for (const node of copy) {
        if (node.z) expect(node.z).toBe(tabs[i]!.id);
        for (const out of (node.wires as string[][] | undefined) ?? []) for (const target of out) expect(own.has(target)).toBe(true);
        if (typeof node.type === 'string' && node.type.startsWith('stemlab-') && node.type !== 'stemlab-kit') expect(node.kit).toBe(kitNode.id);
      }
    }
    // Deploying again gives the same ids: the same tabs are replaced, not added.
    expect(lessonFlows('obstacle', 'solution', ['robot-1', 'robot-2']).map((n) => n.id)).toEqual(ids);
  });

  it('points a single kit at the lesson as it is, and refuses a kit named twice', () => {
    const flows = lessonFlows('blink', 'starter', ['robot-3']);
    expect(flows.find((n) => n.type === 'stemlab-kit')!.kit).toBe('robot-3');
    expect(() => lessonFlows('blink', 'starter', ['robot-1', 'robot-1'])).toThrow(/each kit once/);
  });
});
