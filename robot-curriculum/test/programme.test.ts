import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { programme } from '../src/programme.ts';
import { curriculumDoc } from '../src/curriculum-doc.ts';
import { fileText, publish } from '../src/publish.ts';
import { lessonSchema } from '../src/schema.ts';

// The programme: 12 lessons a level, a school year's progression, every lesson valid against the
// one lesson schema, and the files a gateway and the editor read (flows/) written from it.

describe('the robot-club programme', () => {
  it('has at least 12 lessons for THCS and 12 for THPT, numbered 1… in each level, with unique ids', () => {
    for (const level of ['thcs', 'thpt'] as const) {
      const lessons = programme.filter((l) => l.level === level);
      expect(lessons.length).toBeGreaterThanOrEqual(12);
      expect(lessons.map((l) => l.number)).toEqual(lessons.map((_, i) => i + 1));
    }
    expect(new Set(programme.map((l) => l.id)).size).toBe(programme.length);
  });

  it('keeps the first lessons a gateway knows (ids blink, button-led, square, obstacle, line)', () => {
    for (const id of ['blink', 'button-led', 'square', 'obstacle', 'line']) expect(programme.map((l) => l.id)).toContain(id);
  });

  it('validates every lesson against the schema (texts in both languages, teacher notes, a check)', () => {
    for (const lesson of programme) {
      const result = lessonSchema.safeParse(lesson);
      expect(result.success, `${lesson.id}: ${result.error?.message}`).toBe(true);
      for (const text of [lesson.title, lesson.goal, ...lesson.steps, ...lesson.hints]) {
        expect(text.vi, lesson.id).not.toBe(text.en);
        // Vietnamese is written with its diacritics.
        expect(text.vi, lesson.id).toMatch(/[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i);
      }
      expect(lesson.objectives.map((o) => o.strand)).toEqual(expect.arrayContaining([expect.stringMatching(/technology|informatics/)]));
    }
  });

  it('refuses a lesson that is not complete, naming the field', () => {
    const { teacher: _t, ...noTeacher } = programme[0]!;
    const result = lessonSchema.safeParse(noTeacher);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['teacher']);
    const badCheck = lessonSchema.safeParse({ ...programme[0]!, check: { kind: 'blink', component: 'led', hz: -1 } });
    expect(badCheck.error!.issues[0]!.path).toEqual(['check', 'hz']);
  });

  it('orders prerequisites before the lessons that need them', () => {
    const position = new Map(programme.map((l, i) => [l.id, i]));
    for (const lesson of programme) {
      for (const pre of lesson.prerequisites) {
        expect(position.has(pre), `${lesson.id} needs ${pre}`).toBe(true);
        expect(position.get(pre)!, `${lesson.id} needs ${pre}`).toBeLessThan(position.get(lesson.id)!);
      }
    }
  });

  it('has written its files into flows/ (run `npm run lessons` after changing a lesson)', () => {
    for (const file of publish(programme)) {
      const path = new URL(`../../flows/${file.path}`, import.meta.url);
      expect(readFileSync(path, 'utf8'), `flows/${file.path}`).toBe(fileText(file.content));
    }
    expect(readFileSync(new URL('../../docs/curriculum.md', import.meta.url), 'utf8')).toBe(curriculumDoc(programme));
  });
});
