/**
 * How a lesson of the programme is written: its texts and check as data, its flows either
 * built (flow-builder.ts) or, for the club's first five lessons, the flows they always had
 * (flows/lessons/<id>/, kept as they are so gateways and students see no change).
 */
import { readFileSync } from 'node:fs';
import { buildFlow, type Builder, type FlowNode } from '../flow-builder.ts';
import type { LessonInput, Text } from '../schema.ts';

type Body = (b: Builder) => void;
export type LessonDraft = Omit<LessonInput, 'starter' | 'solution'> & { starter: Body | 'kept'; solution: Body | 'kept' };

export const t = (vi: string, en: string): Text => ({ vi, en });

const levelName = { thcs: t('THCS', 'lower secondary'), thpt: t('THPT', 'upper secondary') };

function kept(id: string, variant: 'starter' | 'solution'): FlowNode[] {
  return JSON.parse(readFileSync(new URL(`../../../flows/lessons/${id}/${variant}.json`, import.meta.url), 'utf8')) as FlowNode[];
}

export function defineLesson(draft: LessonDraft): LessonInput {
  const flow = (variant: 'starter' | 'solution'): FlowNode[] => {
    const body = draft[variant];
    if (body === 'kept') return kept(draft.id, variant);
    const suffix = variant === 'solution' ? t(' (lời giải)', ' (solution)') : t('', '');
    const lv = levelName[draft.level];
    return buildFlow(
      {
        lessonId: draft.id,
        variant,
        profile: draft.kit.profile,
        label: `${lv.vi} ${draft.number} – ${draft.title.vi}${suffix.vi} / ${draft.title.en}${suffix.en}`,
        info: `${draft.goal.vi}\n\n${draft.goal.en}`,
      },
      (b) => {
        b.comment(`${lv.vi} bài ${draft.number}: ${draft.title.vi}${suffix.vi} / Lesson ${draft.number}: ${draft.title.en}${suffix.en}`, `${draft.goal.vi}\n\n${draft.goal.en}`, [0, 0]);
        body(b);
      },
    );
  };
  return { ...draft, starter: flow('starter'), solution: flow('solution') };
}
