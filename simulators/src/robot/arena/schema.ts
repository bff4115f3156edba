import { z } from 'zod';

/**
 * An arena: the table a simulated robot drives on, as a data file (YAML or JSON). This schema is
 * the only place its fields are written; docs/arena.md and docs/arena.schema.json are generated
 * from it (`npm run docs`).
 *
 * Units are centimetres and degrees. x runs right and y runs up from the arena's bottom-left
 * corner; a heading of 0° faces +x (right) and 90° faces +y (up), counterclockwise as in maths.
 */

const cm = z.number().finite();
const length = z.number().finite().positive();

export const pointSchema = z.tuple([cm, cm]).meta({ title: 'point', description: 'a point [x, y] in cm from the bottom-left corner' });

const textSchema = z
  .strictObject({ vi: z.string().min(1), en: z.string().min(1) })
  .meta({ title: 'text', description: 'a text in Vietnamese and English' });

export const poseSchema = z.strictObject({
  x: cm.describe('cm from the left edge'),
  y: cm.describe('cm from the bottom edge'),
  heading: z.number().finite().default(0).describe('degrees: 0 faces right (+x), 90 faces up (+y)'),
});

const wallSchema = z.strictObject({
  from: pointSchema.describe('one end of the wall'),
  to: pointSchema.describe('the other end'),
  thickness: length.default(2).describe('cm'),
});

const boxSchema = z.strictObject({
  shape: z.literal('box'),
  id: z.string().min(1).optional().describe('a name for events (bumps) and checks'),
  center: pointSchema.describe('the centre of the box'),
  size: z.tuple([length, length]).describe('[width, depth] in cm'),
  angle: z.number().finite().default(0).describe('degrees, counterclockwise'),
});

const cylinderSchema = z.strictObject({
  shape: z.literal('cylinder'),
  id: z.string().min(1).optional().describe('a name for events (bumps) and checks'),
  center: pointSchema.describe('the centre of the cylinder'),
  radius: length.describe('cm'),
});

export const obstacleSchema = z.discriminatedUnion('shape', [boxSchema, cylinderSchema]).describe('a box or a cylinder standing on the floor');

const lineWidth = length.default(2).describe('cm; electrical tape is 1.8–2 cm');

const polylineSchema = z.strictObject({
  shape: z.literal('polyline'),
  points: z.array(pointSchema).min(2).describe('the line runs through these points, in order'),
  closed: z.boolean().default(false).describe('joins the last point back to the first'),
  width: lineWidth,
});

const circleLineSchema = z.strictObject({
  shape: z.literal('circle'),
  center: pointSchema,
  radius: length.describe('cm, to the middle of the line'),
  width: lineWidth,
});

const ovalSchema = z.strictObject({
  shape: z.literal('oval'),
  center: pointSchema,
  straight: z.number().finite().min(0).describe('cm, the length of each straight'),
  radius: length.describe('cm, of the two half-circle ends (to the middle of the line)'),
  angle: z.number().finite().default(0).describe('degrees: 0 puts the straights along x'),
  width: lineWidth,
});

const figureEightSchema = z.strictObject({
  shape: z.literal('figure-eight'),
  center: pointSchema.describe('where the line crosses itself'),
  size: z.tuple([length, length]).describe('[width, height] in cm of the whole eight'),
  width: lineWidth,
});

export const lineSchema = z
  .discriminatedUnion('shape', [polylineSchema, circleLineSchema, ovalSchema, figureEightSchema])
  .describe('a dark line on the floor, for line sensors');

const rectZoneSchema = z.strictObject({
  shape: z.literal('rect'),
  id: z.string().min(1).describe('the zone\'s name in events (zone-enter, zone-exit) and checks'),
  label: textSchema.optional(),
  center: pointSchema,
  size: z.tuple([length, length]).describe('[width, height] in cm'),
  angle: z.number().finite().default(0).describe('degrees, counterclockwise'),
  surface: z.enum(['mark', 'dark', 'light']).default('mark').describe('mark: drawn only; dark or light: line sensors see it'),
});

const circleZoneSchema = z.strictObject({
  shape: z.literal('circle'),
  id: z.string().min(1).describe('the zone\'s name in events (zone-enter, zone-exit) and checks'),
  label: textSchema.optional(),
  center: pointSchema,
  radius: length,
  surface: z.enum(['mark', 'dark', 'light']).default('mark').describe('mark: drawn only; dark or light: line sensors see it'),
});

export const zoneSchema = z.discriminatedUnion('shape', [rectZoneSchema, circleZoneSchema]).describe('an area of the floor: a target, a start box, a ring');

export const arenaSchema = z
  .strictObject({
    title: textSchema.describe('the arena\'s name, shown to students'),
    description: textSchema.optional().describe('what the arena is for'),
    size: z.strictObject({ width: length.max(2000).describe('cm'), height: length.max(2000).describe('cm') }).describe('the table'),
    border: z.enum(['wall', 'edge']).default('wall').describe('wall: the table is fenced; edge: a robot can fall off it'),
    floor: z.enum(['light', 'dark']).default('light').describe('the colour of the table, as line sensors see it'),
    walls: z.array(wallSchema).default([]).describe('walls inside the arena'),
    obstacles: z.array(obstacleSchema).default([]).describe('boxes and cylinders'),
    lines: z.array(lineSchema).default([]).describe('dark lines on the floor'),
    zones: z.array(zoneSchema).default([]).describe('areas of the floor'),
    start: z.array(poseSchema).min(1).describe('start poses: robot 1 starts at the first, robot 2 at the second, and so on'),
  })
  .superRefine((arena, ctx) => {
    const { width, height } = arena.size;
    const inside = (p: readonly [number, number], path: (string | number)[]) => {
      if (p[0] < 0 || p[0] > width || p[1] < 0 || p[1] > height) {
        ctx.addIssue({ code: 'custom', path, message: `[${p[0]}, ${p[1]}] is outside the ${width} × ${height} cm arena (x 0–${width}, y 0–${height})` });
      }
    };
    arena.walls.forEach((w, i) => {
      inside(w.from, ['walls', i, 'from']);
      inside(w.to, ['walls', i, 'to']);
    });
    arena.obstacles.forEach((o, i) => inside(o.center, ['obstacles', i, 'center']));
    arena.zones.forEach((z, i) => inside(z.center, ['zones', i, 'center']));
    arena.lines.forEach((l, i) => {
      if (l.shape === 'polyline') l.points.forEach((p, j) => inside(p, ['lines', i, 'points', j]));
      else inside(l.center, ['lines', i, 'center']);
    });
    arena.start.forEach((s, i) => inside([s.x, s.y], ['start', i]));
  });

export type ArenaInput = z.input<typeof arenaSchema>;
export type Arena = z.output<typeof arenaSchema>;
export type Point = z.output<typeof pointSchema>;
export type Pose = z.output<typeof poseSchema>;
export type Obstacle = z.output<typeof obstacleSchema>;
export type FloorLine = z.output<typeof lineSchema>;
export type Zone = z.output<typeof zoneSchema>;
