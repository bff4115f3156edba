/**
 * The robot-club programme: the lessons of both levels in the order a club follows them over
 * a school year, each checked against the lesson schema.
 */
import { lessonSchema, type Lesson } from './schema.ts';
import { blink, buttonLed, trafficLight } from './lessons/thcs-1.ts';
import { lineSensors, motors, obstacle, sonar, square } from './lessons/thcs-2.ts';
import { door, greenhouse, line, parking } from './lessons/thcs-3.ts';
import { crossing, driveDistance, smartGreenhouse, toggleButton } from './lessons/thpt-1.ts';
import { barrier, lineEight, lineP, smartDoor } from './lessons/thpt-2.ts';
import { maze, obstacleCourse, parkP, sumo } from './lessons/thpt-3.ts';

const drafts = [
  // THCS: one school year, from an LED to a parked robot.
  blink, buttonLed, trafficLight, motors, square, sonar, obstacle, lineSensors, line, door, greenhouse, parking,
  // THPT: state, control, algorithms.
  toggleButton, crossing, driveDistance, smartGreenhouse, barrier, smartDoor, lineP, lineEight, obstacleCourse, maze, sumo, parkP,
];

export const programme: readonly Lesson[] = drafts.map((d) => {
  const parsed = lessonSchema.safeParse(d);
  if (!parsed.success) throw new Error(`lesson ${d.id}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
});

export function findLesson(id: string): Lesson | undefined {
  return programme.find((l) => l.id === id);
}
