/**
 * A lesson of the robot-club programme: the single source of truth for what a lesson is. The
 * programme's lessons (lessons/) are checked against it by a test; flows/lessons/<id>/lesson.json,
 * what a gateway deploys, is written from it (scripts/write-lessons.ts), and docs/curriculum.md.
 */
import { z } from 'zod';
import { checkDefinition } from './check/kinds/index.ts';

export const text = z.strictObject({
  vi: z.string().min(1).describe('Vietnamese, with diacritics.'),
  en: z.string().min(1).describe('English.'),
});
export type Text = z.infer<typeof text>;

export const level = z.enum(['thcs', 'thpt']).describe('thcs: lower secondary (grades 6–9); thpt: upper secondary (grades 10–12).');

/**
 * The strands of the general education programme (Chương trình giáo dục phổ thông 2018) a
 * lesson serves: Technology (Công nghệ) and Informatics (Tin học).
 */
export const objective = z.strictObject({
  strand: z.enum(['technology', 'informatics']).describe('technology: Công nghệ; informatics: Tin học.'),
  text: text.describe('What the student can do after the lesson.'),
});

const flowNode = z.looseObject({ id: z.string().min(1), type: z.string().min(1) });
const flow = z.array(flowNode).min(2).refine((nodes) => nodes.filter((n) => n.type === 'tab').length === 1, 'a lesson flow has exactly one tab');

export const lessonSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/).describe('Stable id: `stemlab lesson deploy ID`, the usage tag, the check.'),
  level,
  number: z.number().int().min(1).max(40).describe('Its place in the level’s year (1 = first lesson).'),
  minutes: z.number().int().min(30).max(180).describe('Duration of the club session.'),
  title: text,
  kit: z.strictObject({
    profile: z.enum(['robot', 'automation']).describe('robot: the robot-club robot; automation: the applied-automation board (robot-curriculum/src/kits.ts).'),
    components: z.array(z.string()).min(1).describe('The kit components the lesson uses.'),
  }),
  arena: z.string().optional().describe('The simulated arena the robot runs in (robot lessons).'),
  prerequisites: z.array(z.string()).describe('Lessons to do before this one (ids).'),
  objectives: z.array(objective).min(1),
  goal: text.describe('What to build, in one or two sentences.'),
  steps: z.array(text).min(2).describe('The student’s steps.'),
  hints: z.array(text).min(1).describe('Hints for a student who is stuck.'),
  teacher: z.strictObject({
    timing: z.array(z.strictObject({ minutes: z.number().int().positive(), text })).min(2).describe('How the session’s time is spent.'),
    mistakes: z.array(text).min(2).describe('Common mistakes and what to say.'),
    oneKitPerTeam: text.describe('How to run the lesson with one kit per team (and the simulator for the others).'),
  }),
  check: checkDefinition.describe('The automatic check (stemlab lesson check).'),
  starter: flow,
  solution: flow,
});
export type Lesson = z.infer<typeof lessonSchema>;
export type LessonInput = z.input<typeof lessonSchema>;
