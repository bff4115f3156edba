export { programme, findLesson } from './programme.ts';
export { lessonSchema, type Lesson, type LessonInput, type Text } from './schema.ts';
export { checkDefinition, type CheckDefinition } from './check/kinds/index.ts';
export { checkLesson, parseFlowText, type CheckResult, type Lang } from './check/check.ts';
export { CheckRunner } from './check/runner.ts';
export type { Trace } from './check/trace.ts';
export type { Finding, Verdict } from './check/kind.ts';
export { kitConfig, type KitProfile } from './kits.ts';
export { publish, exampleName } from './publish.ts';
