/** The kinds of check a lesson can name, one schema for their parameters. */
import { z } from 'zod';
import type { CheckKind, Scenario, Verdict } from '../kind.ts';
import type { Trace } from '../trace.ts';
import { blink, blinkParams } from './blink.ts';
import { counter, counterParams } from './counter.ts';
import { door, doorParams } from './door.ts';
import { follow, followParams } from './follow.ts';
import { sequence, sequenceParams } from './sequence.ts';
import { toggle, toggleParams } from './toggle.ts';
import { robotKinds, robotParams } from './robot.ts';

export const checkDefinition = z.discriminatedUnion('kind', [blinkParams, followParams, sequenceParams, doorParams, counterParams, toggleParams, ...robotParams]);
export type CheckDefinition = z.infer<typeof checkDefinition>;

const kinds: { [K in CheckDefinition['kind']]: CheckKind<Extract<CheckDefinition, { kind: K }>> } = { blink, follow, sequence, door, counter, toggle, ...robotKinds };

const kindOf = (check: CheckDefinition) => kinds[check.kind] as CheckKind<CheckDefinition>;
export const scenarioOf = (check: CheckDefinition, random: () => number): Scenario => kindOf(check).scenario(check, random);
export const judgeTrace = (check: CheckDefinition, trace: Trace): Verdict => kindOf(check).judge(trace, check);
