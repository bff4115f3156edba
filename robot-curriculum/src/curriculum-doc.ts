/** docs/curriculum.md, the teacher's overview of the programme, written from the lessons (npm run lessons). */
import type { Lesson } from './schema.ts';

const strand = { technology: 'Công nghệ / Technology', informatics: 'Tin học / Informatics' };

export function curriculumDoc(programme: readonly Lesson[]): string {
  const out: string[] = [
    '# Chương trình câu lạc bộ robot / The robot-club programme',
    '',
    '<!-- Written by `npm run lessons` from robot-curriculum/src/lessons; do not edit. -->',
    '',
    'Twelve lessons for THCS (grades 6–9) and twelve for THPT (grades 10–12), one school year each.',
    'Every lesson ships a starter and a solution flow (Node-RED: Import ▸ Examples ▸ @stemlab/flows),',
    'and an automatic check: `stemlab lesson check LESSON FLOW.json [--lang vi|en] [--json] [--seed N]`',
    'or the "Chấm bài / Check" sidebar in the editor. Deploy a lesson to a club\'s robots, one tab',
    'each: `stemlab lesson deploy LESSON --to UNIT/GATEWAY --kits robot-1,robot-2 --broker URL`.',
    'How the check works: robot-curriculum/README.md.',
    '',
  ];
  for (const level of ['thcs', 'thpt'] as const) {
    out.push(`## ${level.toUpperCase()}`, '');
    for (const l of programme.filter((x) => x.level === level)) {
      out.push(`### ${l.number}. ${l.title.vi} / ${l.title.en} (\`${l.id}\`)`, '');
      out.push(`- ${l.minutes} phút / minutes; kit: ${l.kit.profile} (${l.kit.components.join(', ')})${l.arena ? `; arena: ${l.arena}` : ''}${l.prerequisites.length ? `; before: ${l.prerequisites.join(', ')}` : ''}`);
      for (const o of l.objectives) out.push(`- ${strand[o.strand]}: ${o.text.vi} / ${o.text.en}`);
      out.push(`- Mục tiêu / Goal: ${l.goal.vi} / ${l.goal.en}`);
      out.push(`- Chấm tự động / Check: \`${JSON.stringify(l.check)}\``);
      out.push(`- Thời gian / Timing: ${l.teacher.timing.map((x) => `${x.minutes}′ ${x.text.vi} / ${x.text.en}`).join('; ')}`);
      out.push(`- Lỗi thường gặp / Common mistakes: ${l.teacher.mistakes.map((m) => `${m.vi} / ${m.en}`).join('; ')}`);
      out.push(`- Một kit mỗi đội / One kit per team: ${l.teacher.oneKitPerTeam.vi} / ${l.teacher.oneKitPerTeam.en}`, '');
    }
  }
  return out.join('\n');
}
