/**
 * What the gateway and the Node-RED editor get from the programme, as files in @stemlab/flows:
 * lessons/index.json and lessons/<id>/{lesson.json, starter.json, solution.json} (what
 * `stemlab lesson list/deploy` and a gateway's lesson deploy read), and examples/ (Import ▸
 * Examples in the editor: every lesson's starter and solution, by level; lessons/examples-labels.json
 * names them in each language). Written by
 * scripts/write-lessons.ts; a test keeps the files equal to the programme.
 */
import type { Lesson } from './schema.ts';
import { KIT_NODES } from './flow-builder.ts';
import { kitConfig } from './kits.ts';

export const LEVEL_FOLDERS = { thcs: 'THCS (lớp 6–9)', thpt: 'THPT (lớp 10–12)' } as const;

/** The level folders as the editor shows them in each language (examples-labels.json). */
const LEVEL_LABELS = { thcs: { vi: 'THCS (lớp 6–9)', en: 'Lower secondary (grades 6–9)' }, thpt: { vi: 'THPT (lớp 10–12)', en: 'Upper secondary (grades 10–12)' } } as const;

export interface PublishedFile {
  /** Path under flows/. */
  path: string;
  content: unknown;
}

/** The component ids and types of a lesson, from its kit profile. */
function components(lesson: Lesson): Array<{ id: string; type: string }> {
  const kit = kitConfig(lesson.kit.profile, 'x');
  return lesson.kit.components.map((id) => {
    const c = kit.components.find((x) => x.id === id);
    if (!c) throw new Error(`lesson ${lesson.id}: the ${lesson.kit.profile} kit has no component ${id}`);
    return { id, type: c.type };
  });
}

/** The example's file name: the lesson's number and both titles, then the variant. */
export function exampleName(lesson: Lesson, variant: 'starter' | 'solution'): string {
  const v = variant === 'starter' ? 'bắt đầu · starter' : 'lời giải · solution';
  return `${LEVEL_FOLDERS[lesson.level]}/${String(lesson.number).padStart(2, '0')} ${lesson.title.vi} · ${lesson.title.en} – ${v}.json`;
}

/**
 * What Import ▸ Examples shows for each folder and file, in Vietnamese and English, by its path
 * under examples/ without ".json". Node-RED lists example files by their file names, the same in
 * every language, so the names on disk carry both titles (what a plain Node-RED shows) and the
 * "Chấm bài / Check" plugin relabels the tree in the editor's language from this map
 * (flows/plugins/stemlab-check.html).
 */
export function exampleLabels(programme: readonly Lesson[]): Record<string, { vi: string; en: string }> {
  const labels: Record<string, { vi: string; en: string }> = {};
  for (const level of ['thcs', 'thpt'] as const) labels[LEVEL_FOLDERS[level]] = LEVEL_LABELS[level];
  for (const l of programme) {
    const n = String(l.number).padStart(2, '0');
    labels[exampleName(l, 'starter').replace(/\.json$/, '')] = { vi: `${n} ${l.title.vi} – bắt đầu`, en: `${n} ${l.title.en} – starter` };
    labels[exampleName(l, 'solution').replace(/\.json$/, '')] = { vi: `${n} ${l.title.vi} – lời giải`, en: `${n} ${l.title.en} – solution` };
  }
  return labels;
}

export function publish(programme: readonly Lesson[]): PublishedFile[] {
  const files: PublishedFile[] = [];
  const index = programme.map((l, i) => ({
    id: l.id,
    order: i + 1,
    level: l.level,
    number: l.number,
    title: l.title,
    kit: KIT_NODES[l.kit.profile].kit,
    components: l.kit.components,
    path: l.id,
  }));
  files.push({ path: 'lessons/index.json', content: { kit: 'robot-1', config: 'edge-agent/examples/robot-club.yaml', lessons: index } });
  files.push({ path: 'lessons/examples-labels.json', content: exampleLabels(programme) });
  programme.forEach((l, i) => {
    const { starter, solution, teacher: _teacher, check: _check, kit, objectives: _objectives, ...student } = l;
    files.push({
      path: `lessons/${l.id}/lesson.json`,
      content: { ...student, order: i + 1, kit: KIT_NODES[kit.profile].kit, profile: kit.profile, components: components(l), starter: 'starter.json', solution: 'solution.json' },
    });
    files.push({ path: `lessons/${l.id}/starter.json`, content: starter });
    files.push({ path: `lessons/${l.id}/solution.json`, content: solution });
    files.push({ path: `examples/${exampleName(l, 'starter')}`, content: starter });
    files.push({ path: `examples/${exampleName(l, 'solution')}`, content: solution });
  });
  return files;
}

export const fileText = (content: unknown) => `${JSON.stringify(content, null, 2)}\n`;
