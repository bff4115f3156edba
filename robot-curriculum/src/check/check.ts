/**
 * Check a student's flow against a lesson: the answer a student, the CLI and the editor read.
 * pass → exit 0, fail → 1, a flow that cannot be judged (not a flow, a refused or unknown node,
 * an unknown lesson) → 2, always with a message in the student's language.
 */
import { findLesson, programme } from '../programme.ts';
import type { Lesson } from '../schema.ts';
import type { Finding } from './kind.ts';
import { CheckRunner } from './runner.ts';
import type { Trace } from './trace.ts';

export type Lang = 'vi' | 'en';

export interface CheckResult {
  lesson: string;
  /** pass, fail, or invalid: the flow could not be judged. */
  status: 'pass' | 'fail' | 'invalid';
  exitCode: 0 | 1 | 2;
  seed: number;
  /** What the student reads, in the language asked for. */
  message: string;
  findings: Finding[];
  /** Why the flow could not be judged (invalid), with the gateway's refusal code. */
  refused?: { code: string; message: string };
  trace?: Trace;
  /** Simulated and wall-clock milliseconds of the run. */
  simulatedMs?: number;
  wallMs?: number;
}

const headline = (lesson: Lesson, status: CheckResult['status'], lang: Lang) => {
  const level = lesson.level.toUpperCase();
  const title = `${level} ${lesson.number} – ${lesson.title[lang]}`;
  const word = { pass: { vi: 'ĐẠT', en: 'PASS' }, fail: { vi: 'CHƯA ĐẠT', en: 'NOT YET' }, invalid: { vi: 'KHÔNG CHẤM ĐƯỢC', en: 'CANNOT CHECK' } }[status][lang];
  return `${title}: ${word}`;
};

function invalid(lessonId: string, seed: number, code: string, vi: string, en: string, lang: Lang): CheckResult {
  return { lesson: lessonId, status: 'invalid', exitCode: 2, seed, message: lang === 'vi' ? vi : en, findings: [], refused: { code, message: en } };
}

/** Parse a flow file's text; invalid JSON is a result, not an exception. */
export function parseFlowText(text: string): { flow: unknown } | { error: string } {
  try {
    return { flow: JSON.parse(text.replace(/^\uFEFF/, '')) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export async function checkLesson(lessonId: string, flow: unknown, options: { seed?: number; lang?: Lang; runner?: CheckRunner } = {}): Promise<CheckResult> {
  const lang = options.lang ?? 'vi';
  const seed = options.seed ?? 1;
  const lesson = findLesson(lessonId);
  if (!lesson) {
    const ids = programme.map((l) => l.id).join(', ');
    return invalid(lessonId, seed, 'LESSON_UNKNOWN', `Không có bài '${lessonId}'. Các bài: ${ids}`, `There is no lesson '${lessonId}'. Lessons: ${ids}`, lang);
  }
  const runner = options.runner ?? new CheckRunner();
  try {
    const outcome = await runner.run(lesson.check, lesson.kit.profile, flow, seed);
    if (outcome.status === 'refused') {
      return invalid(lesson.id, seed, outcome.code, `Không chấm được luồng của em: ${outcome.message}`, `Your flow cannot be checked: ${outcome.message}`, lang);
    }
    if (outcome.status === 'error') throw new Error(outcome.message);
    const { verdict, trace, wallMs } = outcome;
    const status = verdict.pass ? 'pass' : 'fail';
    const lines = verdict.findings.map((f) => `${f.ok ? '✓' : '✗'} ${f[lang]}`);
    const logged = trace.log.filter((l) => l.level === 'error').slice(0, 3);
    if (logged.length > 0) lines.push(...logged.map((l) => `! ${l.node?.name || l.node?.type || ''}: ${l.message}`));
    return {
      lesson: lesson.id,
      status,
      exitCode: verdict.pass ? 0 : 1,
      seed,
      message: [headline(lesson, status, lang), ...lines].join('\n'),
      findings: verdict.findings,
      trace,
      simulatedMs: trace.durationMs,
      wallMs: Math.round(wallMs),
    };
  } finally {
    if (!options.runner) runner.close();
  }
}
