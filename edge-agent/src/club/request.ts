import { z } from 'zod';
import { catalogue } from '@stemlab/flows';
import { describeIssues } from '@stemlab/protocol';
import type { AgentConfig } from '../config/schema.ts';
import { STUDENT_NAME } from '../nodered/policy.ts';
import { ClubError } from './errors.ts';

const teamSchema = z.strictObject({
  name: z.string().trim().min(1).max(60),
  kit: z.string().min(1).max(64),
  members: z.array(z.string().max(64)).max(20).default([]),
});

const startSchema = z.strictObject({
  lessonId: z.string().min(1).max(100),
  classId: z.string().trim().min(1).max(100),
  teams: z.array(teamSchema).min(1).max(20),
});

export interface StartRequest {
  lessonId: string;
  classId: string;
  teams: Array<{ id: string; name: string; kit: string; members: string[] }>;
}

/**
 * A start request checked against the curriculum and the gateway's kits: the lesson exists,
 * each kit is configured and has one team, each member is a student account in one team.
 */
export function startRequest(body: unknown, config: AgentConfig): StartRequest {
  const parsed = startSchema.safeParse(body);
  if (!parsed.success) {
    const why = describeIssues(parsed.error);
    throw new ClubError('SESSION_INVALID', `club session: ${why}; send {"lessonId", "classId", "teams": [{"name", "kit", "members": ["student-1"]}]}`, `buổi câu lạc bộ: ${why}; cần bài học, lớp và các nhóm (tên, bộ kit, thành viên)`);
  }
  const { lessonId, classId, teams } = parsed.data;
  if (!catalogue.lessons.some((l) => l.id === lessonId)) {
    const ids = catalogue.lessons.map((l) => l.id).join(', ');
    throw new ClubError('LESSON_UNKNOWN', `lessonId: no lesson '${lessonId}' in the curriculum (${ids})`, `lessonId: không có bài '${lessonId}' trong chương trình (${ids})`);
  }
  const kits = config.kits.map((k) => k.id);
  const seenKits = new Set<string>();
  const seenMembers = new Set<string>();
  teams.forEach((team, i) => {
    if (!kits.includes(team.kit)) {
      throw new ClubError('KIT_UNKNOWN', `teams[${i}].kit: no kit '${team.kit}' on this gateway (kits: ${kits.join(', ')})`, `teams[${i}].kit: gateway không có bộ kit '${team.kit}' (có: ${kits.join(', ')})`);
    }
    if (seenKits.has(team.kit)) throw new ClubError('SESSION_INVALID', `teams[${i}].kit: kit '${team.kit}' already has a team; one team per kit`, `teams[${i}].kit: bộ kit '${team.kit}' đã có nhóm; mỗi bộ kit một nhóm`);
    seenKits.add(team.kit);
    for (const member of team.members) {
      if (!STUDENT_NAME.test(member)) throw new ClubError('SESSION_INVALID', `teams[${i}].members: '${member}' is not a student account (student-1, student-2...)`, `teams[${i}].members: '${member}' không phải tài khoản học sinh (student-1, student-2...)`);
      if (seenMembers.has(member)) throw new ClubError('SESSION_INVALID', `teams[${i}].members: '${member}' is in two teams`, `teams[${i}].members: '${member}' ở hai nhóm`);
      seenMembers.add(member);
    }
  });
  return { lessonId, classId, teams: teams.map((t, i) => ({ id: `team-${i + 1}`, ...t })) };
}
