/**
 * The robot-club programme: the lessons of both levels in the order a club follows them over
 * a school year, each checked against the lesson schema.
 */
import { lessonSchema, type Lesson } from './schema.ts';
import { blink, buttonLed, trafficLight } from './lessons/thcs-1.ts';

const drafts = [blink, buttonLed, trafficLight];

export const programme: readonly Lesson[] = drafts.map((d) => {
  const parsed = lessonSchema.safeParse(d);
  if (!parsed.success) throw new Error(`lesson ${d.id}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
});

export function findLesson(id: string): Lesson | undefined {
  return programme.find((l) => l.id === id);
}
