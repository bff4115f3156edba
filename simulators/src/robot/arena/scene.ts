import type { Arena, FloorLine, Point } from './schema.ts';

/**
 * An arena compiled for the physics: every solid (walls, obstacles, the fence) as a box or a
 * circle, every dark or light patch of floor as shapes with a signed distance. Pure geometry,
 * no state: the world asks it what a robot hits, what a sonar ray meets, what a line sensor sees.
 */

export type SolidKind = 'wall' | 'obstacle' | 'border';

export interface Box {
  kind: SolidKind;
  id: string;
  cx: number;
  cy: number;
  hx: number;
  hy: number;
  cos: number;
  sin: number;
}

export interface Circle {
  kind: SolidKind;
  id: string;
  cx: number;
  cy: number;
  r: number;
}

export interface Segment {
  ax: number;
  ay: number;
  bx: number;
  by: number;
}

/** A floor line as segments, with a bounding box for a quick "nowhere near" answer. */
export interface LinePath {
  half: number;
  segments: Segment[];
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** The points the line runs through (closed lines repeat the first), for drawing. */
  points: Point[];
}

export interface FloorPatch {
  id: string;
  dark: boolean | undefined; // undefined: a mark only
  /** Signed distance to the patch's edge: negative inside. */
  distance(x: number, y: number): number;
}

export interface Hit {
  kind: SolidKind;
  id: string;
}

export class Scene {
  readonly boxes: Box[] = [];
  readonly circles: Circle[] = [];
  readonly lines: LinePath[];
  readonly zones: FloorPatch[];
  readonly floorDark: boolean;

  constructor(readonly arena: Arena) {
    const { width, height } = arena.size;
    if (arena.border === 'wall') {
      const t = 5; // the fence stands just outside the table
      this.boxes.push(box('border', 'border-south', width / 2, -t / 2, width / 2 + t, t / 2, 0));
      this.boxes.push(box('border', 'border-north', width / 2, height + t / 2, width / 2 + t, t / 2, 0));
      this.boxes.push(box('border', 'border-west', -t / 2, height / 2, t / 2, height / 2 + t, 0));
      this.boxes.push(box('border', 'border-east', width + t / 2, height / 2, t / 2, height / 2 + t, 0));
    }
    arena.walls.forEach((w, i) => {
      const [ax, ay] = w.from;
      const [bx, by] = w.to;
      const len = Math.hypot(bx - ax, by - ay);
      this.boxes.push(box('wall', `wall-${i + 1}`, (ax + bx) / 2, (ay + by) / 2, len / 2 + w.thickness / 2, w.thickness / 2, Math.atan2(by - ay, bx - ax)));
    });
    arena.obstacles.forEach((o, i) => {
      const id = o.id ?? `obstacle-${i + 1}`;
      if (o.shape === 'box') this.boxes.push(box('obstacle', id, o.center[0], o.center[1], o.size[0] / 2, o.size[1] / 2, rad(o.angle)));
      else this.circles.push({ kind: 'obstacle', id, cx: o.center[0], cy: o.center[1], r: o.radius });
    });
    this.lines = arena.lines.map(linePath);
    this.zones = arena.zones.map((z) => {
      const dark = z.surface === 'mark' ? undefined : z.surface === 'dark';
      if (z.shape === 'circle') {
        const [cx, cy] = z.center;
        return { id: z.id, dark, distance: (x: number, y: number) => Math.hypot(x - cx, y - cy) - z.radius };
      }
      const b = box('wall', z.id, z.center[0], z.center[1], z.size[0] / 2, z.size[1] / 2, rad(z.angle));
      return { id: z.id, dark, distance: (x: number, y: number) => boxDistance(b, x, y) };
    });
    this.floorDark = arena.floor === 'dark';
  }

  get width(): number {
    return this.arena.size.width;
  }

  get height(): number {
    return this.arena.size.height;
  }

  /** The first solid a disc of radius `r` at (x, y) overlaps, if any. */
  collision(x: number, y: number, r: number): Hit | undefined {
    for (const b of this.boxes) if (boxDistance(b, x, y) < r) return { kind: b.kind, id: b.id };
    for (const c of this.circles) if (Math.hypot(x - c.cx, y - c.cy) < r + c.r) return { kind: c.kind, id: c.id };
    return undefined;
  }

  /** Whether (x, y) is on the table (for arenas with an edge a robot can fall off). */
  onTable(x: number, y: number): boolean {
    return x >= 0 && x <= this.width && y >= 0 && y <= this.height;
  }

  /** The distance along the ray from (ox, oy) in direction (dx, dy) (unit) to the nearest solid, or Infinity. */
  raycast(ox: number, oy: number, dx: number, dy: number, max: number): number {
    let best = max;
    for (const b of this.boxes) best = Math.min(best, rayBox(b, ox, oy, dx, dy, best));
    for (const c of this.circles) best = Math.min(best, rayCircle(c.cx, c.cy, c.r, ox, oy, dx, dy));
    return best < max ? best : Infinity;
  }

  /**
   * How dark the floor is under a sensor's spot of radius `spot` at (x, y): 0 light, 1 dark; a
   * spot half over a line's edge sees 0.5. The floor, then the zones in order, then the lines.
   */
  darkness(x: number, y: number, spot: number): number {
    let dark = this.floorDark ? 1 : 0;
    for (const z of this.zones) {
      if (z.dark === undefined) continue;
      const c = coverage(z.distance(x, y), spot);
      if (c > 0) dark = dark + ((z.dark ? 1 : 0) - dark) * c;
    }
    for (const l of this.lines) {
      if (x < l.minX - l.half - spot || x > l.maxX + l.half + spot || y < l.minY - l.half - spot || y > l.maxY + l.half + spot) continue;
      // Only segments within the line's half width and the spot can darken it: the others'
      // distances would give no coverage, so a bounding-box test skips them (same result).
      const reach = l.half + spot;
      let d = Infinity;
      for (const s of l.segments) {
        if (x < Math.min(s.ax, s.bx) - reach || x > Math.max(s.ax, s.bx) + reach || y < Math.min(s.ay, s.by) - reach || y > Math.max(s.ay, s.by) + reach) continue;
        d = Math.min(d, segmentDistance(s, x, y));
      }
      const c = coverage(d - l.half, spot);
      if (c > dark) dark = c;
    }
    return dark;
  }

  /** The zones whose area holds (x, y). */
  zonesAt(x: number, y: number): string[] {
    return this.zones.filter((z) => z.distance(x, y) <= 0).map((z) => z.id);
  }
}

/** The share of a spot of radius `spot` inside a shape whose edge is `distance` away (negative: inside). */
function coverage(distance: number, spot: number): number {
  return Math.min(Math.max((spot - distance) / (2 * spot), 0), 1);
}

function rad(deg: number): number {
  return (deg * Math.PI) / 180;
}

function box(kind: SolidKind, id: string, cx: number, cy: number, hx: number, hy: number, angle: number): Box {
  return { kind, id, cx, cy, hx, hy, cos: Math.cos(angle), sin: Math.sin(angle) };
}

/** Signed distance from (x, y) to a box's outline (negative inside). */
export function boxDistance(b: Box, x: number, y: number): number {
  const px = x - b.cx;
  const py = y - b.cy;
  const lx = Math.abs(px * b.cos + py * b.sin) - b.hx;
  const ly = Math.abs(-px * b.sin + py * b.cos) - b.hy;
  return Math.hypot(Math.max(lx, 0), Math.max(ly, 0)) + Math.min(Math.max(lx, ly), 0);
}

/** Distance along a ray to a box (slab method in the box's frame), or Infinity. */
function rayBox(b: Box, ox: number, oy: number, dx: number, dy: number, max: number): number {
  const px = ox - b.cx;
  const py = oy - b.cy;
  const lox = px * b.cos + py * b.sin;
  const loy = -px * b.sin + py * b.cos;
  const ldx = dx * b.cos + dy * b.sin;
  const ldy = -dx * b.sin + dy * b.cos;
  let tmin = -Infinity;
  let tmax = Infinity;
  for (const [o, d, h] of [
    [lox, ldx, b.hx],
    [loy, ldy, b.hy],
  ] as const) {
    if (Math.abs(d) < 1e-12) {
      if (o < -h || o > h) return Infinity;
      continue;
    }
    const t1 = (-h - o) / d;
    const t2 = (h - o) / d;
    tmin = Math.max(tmin, Math.min(t1, t2));
    tmax = Math.min(tmax, Math.max(t1, t2));
  }
  if (tmax < tmin || tmax < 0 || tmin > max) return Infinity;
  return tmin >= 0 ? tmin : 0;
}

/** Distance along a ray to a circle, or Infinity (0 from inside). */
export function rayCircle(cx: number, cy: number, r: number, ox: number, oy: number, dx: number, dy: number): number {
  const fx = ox - cx;
  const fy = oy - cy;
  const b = fx * dx + fy * dy;
  const c = fx * fx + fy * fy - r * r;
  if (c <= 0) return 0;
  const disc = b * b - c;
  if (disc < 0 || b > 0) return Infinity;
  return -b - Math.sqrt(disc);
}

function segmentDistance(s: Segment, x: number, y: number): number {
  const vx = s.bx - s.ax;
  const vy = s.by - s.ay;
  const len2 = vx * vx + vy * vy;
  const t = len2 === 0 ? 0 : Math.min(Math.max(((x - s.ax) * vx + (y - s.ay) * vy) / len2, 0), 1);
  return Math.hypot(x - (s.ax + t * vx), y - (s.ay + t * vy));
}

/** A floor line as a polyline: curves are sampled finely enough (≤ 1 mm off the true curve for these radii). */
export function linePoints(line: FloorLine): { points: Point[]; closed: boolean } {
  switch (line.shape) {
    case 'polyline':
      return { points: line.points, closed: line.closed };
    case 'circle':
      return { points: arc(line.center, line.radius, 0, 2 * Math.PI, 144), closed: true };
    case 'oval': {
      const [cx, cy] = line.center;
      const a = rad(line.angle);
      const s = line.straight / 2;
      const local = [...arc([s, 0], line.radius, -Math.PI / 2, Math.PI / 2, 48), ...arc([-s, 0], line.radius, Math.PI / 2, (3 * Math.PI) / 2, 48)];
      return { points: local.map(([x, y]) => [cx + x * Math.cos(a) - y * Math.sin(a), cy + x * Math.sin(a) + y * Math.cos(a)] as Point), closed: true };
    }
    case 'figure-eight': {
      // The lemniscate of Gerono: it crosses itself at the centre, at ±45° for a 2:1 eight.
      const [cx, cy] = line.center;
      const [w, h] = line.size;
      const n = 192;
      const points: Point[] = [];
      for (let i = 0; i < n; i++) {
        const t = (2 * Math.PI * i) / n;
        points.push([cx + (w / 2) * Math.sin(t), cy + h * Math.sin(t) * Math.cos(t)]);
      }
      return { points, closed: true };
    }
  }
}

function arc([cx, cy]: Point, r: number, from: number, to: number, steps: number): Point[] {
  const points: Point[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = from + ((to - from) * i) / steps;
    points.push([cx + r * Math.cos(t), cy + r * Math.sin(t)]);
  }
  return points;
}

function linePath(line: FloorLine): LinePath {
  const { points, closed } = linePoints(line);
  const all = closed ? [...points, points[0]!] : points;
  const segments: Segment[] = [];
  for (let i = 1; i < all.length; i++) segments.push({ ax: all[i - 1]![0], ay: all[i - 1]![1], bx: all[i]![0], by: all[i]![1] });
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  return { half: line.width / 2, segments, minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys), points: all };
}
