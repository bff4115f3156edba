/**
 * The generated documents of arena files: their JSON Schema (for editors) and a reference of every
 * field, both from the zod schema in schema.ts, the only place fields, defaults and descriptions
 * are written. scripts/gen-config-docs.ts (`npm run docs`) writes them to docs/; CI fails when
 * the committed copies drift. Rendered by protocol/src/config-reference.ts, as the configs are.
 */
import { z } from 'zod';
import { renderConfigReference, type JsonSchema } from '@stemlab/protocol';
import { arenaSchema } from './schema.ts';

const GENERATED_BY = 'Generated from simulators/src/robot/arena/schema.ts by `npm run docs`; do not edit by hand.';

export function arenaJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(arenaSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  return { $schema: schema.$schema, $comment: GENERATED_BY, title: 'Arena', description: 'An arena file: the table a simulated robot drives on.', ...schema };
}

/** Both files, paths relative to the repository root. */
export function generateArenaDocs(): { path: string; content: string }[] {
  const schema = arenaJsonSchema();
  return [
    { path: 'docs/arena.schema.json', content: `${JSON.stringify(schema, null, 2)}\n` },
    {
      path: 'docs/arena.md',
      content: renderConfigReference(schema, {
        intro: [
          'An arena file (YAML or JSON) describes the table a simulated robot drives on: its size, its walls and',
          'obstacles, the lines and zones on its floor, and where robots start. The shipped arenas are in',
          '[simulators/arenas/](../simulators/arenas/) (an empty table, an oval and a figure-eight line track, an',
          'obstacle course, a maze, a sumo ring, a parking bay); the file\'s name is the arena\'s id. Editors that',
          'understand JSON Schema can check a file against [arena.schema.json](arena.schema.json): put',
          '`# yaml-language-server: $schema=PATH` on its first line.',
          '',
          'Units are centimetres and degrees. x runs right and y runs up from the bottom-left corner; a heading of 0°',
          'faces right (+x), 90° faces up (+y). What the robot is (its size, motors and sensors) and how the physics',
          'works is in [simulators/README.md](../simulators/README.md#the-simulated-robot).',
        ],
        crossFieldRules: ['Every point (wall ends, centres, polyline points, start poses) lies on the table: 0 ≤ x ≤ width, 0 ≤ y ≤ height.', 'A robot cannot start inside a wall or an obstacle (checked when it is placed).'],
        errorClass: 'ArenaError',
        errorCodes: { 'issues': 'each issue names its field (`walls.2.to`) and what is wrong; a file that is not valid YAML or JSON has one issue with an empty path' },
      }),
    },
  ];
}
