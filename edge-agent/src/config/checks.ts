/**
 * The checks of an agent config that need more than one field (a pin the board does not have, a
 * PWM component on a non-PWM pin, two components on one pin, an HC-SR04 without PingFirmata...),
 * run by schema.ts as superRefine checks, and the pin helpers they share with the agent. They
 * read the board table in @stemlab/protocol, the same one the simulated board answers from, so
 * the config and the boards cannot disagree. Every check names the field path and the fix.
 */
import type { z } from 'zod';
import { boards, issuePath, PinMode, resolvePin, supportsMode, type BoardProfile, type FirmwareOptions, type PinModeValue } from '@stemlab/protocol';
import type { ComponentConfig, Firmware, KitConfig, ParsedConfig, ParsedKit, Pin } from './schema.ts';

/** How often the Node-RED palette re-sends a running motion (flows/nodes/lib/motion.js RESEND_MS). */
export const MOTION_RESEND_MS = 200;

/** The Firmata features each sketch offers, as the protocol's board table describes them. */
export function firmwareOptions(firmware: Firmware): FirmwareOptions {
  return { version: [2, 5], ping: firmware === 'PingFirmata' };
}

// ---------------------------------------------------------------------------------------------
// Pins of a component, and how a kit resolves them
// ---------------------------------------------------------------------------------------------

/** What a pin must be able to do. `digital` is any usable pin. */
export type PinUse = 'digital' | 'pwm' | 'servo' | 'analog' | 'ping';

export interface ComponentPin {
  /** Path of the pin inside the component, e.g. ['pins', 'pwm']. */
  field: readonly (string | number)[];
  pin: Pin;
  use: PinUse;
}

/** Every pin a component occupies, with what it needs the pin to do. */
export function componentPins(component: ComponentConfig): ComponentPin[] {
  switch (component.type) {
    case 'led':
      return [{ field: ['pin'], pin: component.pin, use: component.pwm ? 'pwm' : 'digital' }];
    case 'button':
    case 'relay':
      return [{ field: ['pin'], pin: component.pin, use: 'digital' }];
    case 'servo':
      return [{ field: ['pin'], pin: component.pin, use: 'servo' }];
    case 'piezo':
      return [{ field: ['pin'], pin: component.pin, use: 'pwm' }];
    case 'analog-sensor':
    case 'thermometer':
      return [{ field: ['pin'], pin: component.pin, use: 'analog' }];
    case 'proximity':
      return [{ field: ['pin'], pin: component.pin, use: 'ping' }];
    case 'line-sensors':
      return component.pins.map((p, i) => ({ field: ['pins', i], pin: p, use: 'digital' as const }));
    case 'motor': {
      const pins: ComponentPin[] = [
        { field: ['pins', 'pwm'], pin: component.pins.pwm, use: 'pwm' },
        { field: ['pins', 'dir'], pin: component.pins.dir, use: 'digital' },
      ];
      if (component.pins.cdir !== undefined) pins.push({ field: ['pins', 'cdir'], pin: component.pins.cdir, use: 'digital' });
      if (component.pins.brake !== undefined) pins.push({ field: ['pins', 'brake'], pin: component.pins.brake, use: 'digital' });
      return pins;
    }
  }
}

/** A pin of a validated kit as the board numbers it ("A0" → 14 on an Uno). */
export function kitPin(kit: Pick<KitConfig, 'id' | 'board'>, p: Pin): number {
  const n = resolvePin(boards[kit.board], p);
  if (n === undefined) throw new Error(`kit '${kit.id}': pin ${String(p)} does not exist on an ${boards[kit.board].title}; was the config validated?`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Checks across fields
// ---------------------------------------------------------------------------------------------

/** The rules the checks below enforce, for the generated reference (keep in step with them). */
export const crossFieldRules: readonly string[] = [
  "Every pin exists on the kit's board; pins 0 and 1 carry the USB serial link and cannot be used.",
  'A PWM LED, a piezo and a motor\'s `pins.pwm` need a PWM pin; a servo needs a pin the Servo library can drive.',
  'An analog-sensor or a thermometer needs an analog input pin (A0–A5 on an Uno, A0–A15 on a Mega).',
  'A `proximity` sensor (HC-SR04) needs `firmware: PingFirmata` on its kit.',
  'No two components of a kit share a pin ("A0" and 14 are the same pin on an Uno).',
  "A servo's `range` and `startAt` stay within the kit's `limits.servoRange`.",
  'Kit ids are unique on the gateway; component ids are unique within their kit; GPIO line ids are unique.',
  'No two kits share a serial number, a port path or a simulated board name; two kits with the same vendorId + productId need a serialNumber (or each a path) to tell them apart.',
  'No BCM GPIO number is used twice.',
];

type Ctx = z.RefinementCtx;
type Path = (string | number)[];

export function describeValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
}

/** [3, 5, 6, 9, 10, 11] → "3, 5, 6, 9, 10, 11"; [2..13, 44, 45, 46] → "2–13, 44, 45, 46". */
function numberList(numbers: readonly number[], prefix = ''): string {
  const parts: string[] = [];
  const sorted = [...numbers].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j - i >= 3) parts.push(`${prefix}${sorted[i]}–${prefix}${sorted[j]}`);
    else for (let k = i; k <= j; k++) parts.push(`${prefix}${sorted[k]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** "A0–A5" on an Uno. */
function analogPins(profile: BoardProfile): string {
  return numberList(Array.from({ length: profile.analogChannels }, (_, i) => i), 'A');
}

/** "pins 2–19, A0–A5" on an Uno. */
function usablePins(profile: BoardProfile): string {
  const digital = Array.from({ length: profile.pinCount }, (_, i) => i).filter((i) => !profile.reservedPins.includes(i));
  return `pins ${numberList(digital)}, ${analogPins(profile)}`;
}

const modeOf: Record<Exclude<PinUse, 'digital'>, PinModeValue> = {
  pwm: PinMode.PWM,
  servo: PinMode.SERVO,
  analog: PinMode.ANALOG,
  ping: PinMode.PING_READ,
};

export function checkKit(kit: ParsedKit, ctx: Ctx): void {
  const profile = boards[kit.board];
  const board = `an ${profile.title}`;
  const firmware = firmwareOptions(kit.firmware);
  const pinOwners = new Map<number, { index: number; field: readonly (string | number)[]; id: string; written: Pin }>();
  const componentIds = new Map<string, number>();
  const needPing: string[] = [];
  const [limitMin, limitMax] = kit.limits.servoRange;

  kit.components.forEach((component, index) => {
    const at = (...rest: Path): Path => ['components', index, ...rest];

    const earlier = componentIds.get(component.id);
    if (earlier !== undefined) {
      ctx.addIssue({ code: 'custom', path: at('id'), message: `component id '${component.id}' is already used by components[${earlier}]; give each component of a kit its own id` });
    } else componentIds.set(component.id, index);

    for (const { field, pin: written, use } of componentPins(component)) {
      const path = at(...field);
      const fail = (message: string) => ctx.addIssue({ code: 'custom', path, message });
      const n = resolvePin(profile, written);
      const digits = typeof written === 'number' ? written : /^[0-9]+$/.test(written) ? Number(written) : undefined;
      if (digits !== undefined && profile.reservedPins.includes(digits)) {
        fail(`pin ${digits} cannot be used: pins ${profile.reservedPins.join(' and ')} carry the USB serial link to the gateway; use one of ${usablePins(profile)}`);
        continue;
      }
      if (n === undefined) {
        fail(`pin ${String(written)} does not exist on ${board} (${usablePins(profile)})`);
        continue;
      }
      if (use === 'ping') {
        if (!supportsMode(profile, n, PinMode.PING_READ, firmware)) needPing.push(`components[${index}] ('${component.id}')`);
      } else if (use !== 'digital' && !supportsMode(profile, n, modeOf[use], firmware)) {
        if (use === 'pwm') fail(`pin ${String(written)} is not a PWM pin on ${board}; use one of ${numberList(profile.pwmPins)}`);
        if (use === 'servo') fail(`pin ${String(written)} cannot drive a servo on ${board}; use one of pins ${numberList(profile.servoPins)}`);
        if (use === 'analog') fail(`pin ${String(written)} is not an analog input on ${board}; use one of ${analogPins(profile)}`);
      }
      const owner = pinOwners.get(n);
      if (owner) {
        const same = String(owner.written) === String(written) ? '' : ` (${String(owner.written)} and ${String(written)} are the same pin)`;
        const whose = owner.index === index ? `this component's ${issuePath(owner.field)}` : `${issuePath(['components', owner.index, ...owner.field])} ('${owner.id}')`;
        fail(`pin ${String(written)} is already used by ${whose}${same}; ${owner.index === index ? 'use a different pin for each' : 'give each component its own pin'}`);
      } else pinOwners.set(n, { index, field, id: component.id, written });
    }

    if (component.type === 'servo') {
      if (component.range && (component.range[0] < limitMin || component.range[1] > limitMax)) {
        ctx.addIssue({
          code: 'custom',
          path: at('range'),
          message: `range [${component.range.join(', ')}] goes beyond the kit's limits.servoRange [${limitMin}, ${limitMax}]; keep it within [${limitMin}, ${limitMax}] or widen limits.servoRange`,
        });
      }
      const [min, max] = component.range ?? kit.limits.servoRange;
      if (component.startAt !== undefined && (component.startAt < min || component.startAt > max)) {
        ctx.addIssue({ code: 'custom', path: at('startAt'), message: `startAt ${component.startAt} is outside the servo's range [${min}, ${max}]; choose an angle within it` });
      }
    }
  });

  if (needPing.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['firmware'],
      message: `the HC-SR04 proximity sensor ${needPing.join(', ')} needs PingFirmata, but this kit runs ${kit.firmware}; set firmware: PingFirmata and upload it to the board`,
    });
  }
}

export function checkGateway(config: ParsedConfig, ctx: Ctx): void {
  const firstWith = (seen: Map<string, number>, key: string, index: number): number | undefined => {
    const earlier = seen.get(key);
    if (earlier === undefined) seen.set(key, index);
    return earlier;
  };

  const kitIds = new Map<string, number>();
  const serials = new Map<string, number>();
  const paths = new Map<string, number>();
  const sims = new Map<string, number>();
  const usbOnly = new Map<string, number>();
  config.kits.forEach((kit, i) => {
    const add = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path: ['kits', i, ...path], message });
    const other = (j: number) => `kits[${j}] ('${config.kits[j]!.id}')`;

    let j = firstWith(kitIds, kit.id, i);
    if (j !== undefined) add(['id'], `kit id '${kit.id}' is already used by kits[${j}]; give each kit its own id`);

    const { serialNumber, vendorId, productId, path, sim } = kit.find;
    if (serialNumber !== undefined && (j = firstWith(serials, serialNumber, i)) !== undefined) {
      add(['find', 'serialNumber'], `serial number '${serialNumber}' is also given for ${other(j)}; each board has its own, so check which is which with \`stemlab agent doctor\``);
    }
    if (path !== undefined && (j = firstWith(paths, path, i)) !== undefined) {
      add(['find', 'path'], `port ${path} is also given for ${other(j)}; one port holds one board, so give each kit its own path (or better, a serialNumber)`);
    }
    if (sim !== undefined && (j = firstWith(sims, sim, i)) !== undefined) {
      add(['find', 'sim'], `simulated board '${sim}' is also used by ${other(j)}; give each kit its own sim name`);
    }
    // Two kits found only by the same USB ids cannot be told apart once both are plugged in.
    if (vendorId !== undefined && productId !== undefined && serialNumber === undefined) {
      const key = `${vendorId}:${productId}`;
      const earlier = usbOnly.get(key);
      if (earlier === undefined) usbOnly.set(key, i);
      else if (path === undefined || config.kits[earlier]!.find.path === undefined) {
        add(['find'], `${other(earlier)} is also found only by USB id ${key}, so the two kits cannot be told apart; add a serialNumber to each (\`stemlab agent doctor\` lists them)`);
      }
    }
  });

  const lines: { path: Path; id: string; bcm: number }[] = [];
  const { estop, buttons, leds } = config.gpio;
  if (estop) lines.push({ path: ['gpio', 'estop'], id: 'estop', bcm: estop.bcm });
  buttons.forEach((b, i) => lines.push({ path: ['gpio', 'buttons', i], id: b.id, bcm: b.bcm }));
  leds.forEach((l, i) => lines.push({ path: ['gpio', 'leds', i], id: l.id, bcm: l.bcm }));
  const byBcm = new Map<number, Path>();
  const byId = new Map<string, Path>();
  for (const line of lines) {
    const bcmOwner = byBcm.get(line.bcm);
    if (bcmOwner) {
      ctx.addIssue({ code: 'custom', path: [...line.path, 'bcm'], message: `BCM ${line.bcm} is already used by ${issuePath(bcmOwner)}; give each GPIO line its own BCM number` });
    } else byBcm.set(line.bcm, line.path);
    const idOwner = byId.get(line.id);
    if (idOwner) {
      ctx.addIssue({ code: 'custom', path: [...line.path, 'id'], message: `GPIO line id '${line.id}' is already used by ${issuePath(idOwner)}; give each line its own id` });
    } else byId.set(line.id, line.path);
  }

  // The Node-RED palette re-sends a running motion every MOTION_RESEND_MS (flows/nodes/lib/motion.js
  // RESEND_MS): a dead-man window shorter than two re-sends stops motors between them (stutter).
  if (config.safety.watchdogMs < 2 * MOTION_RESEND_MS) {
    ctx.addIssue({ code: 'custom', path: ['safety', 'watchdogMs'], message: `${config.safety.watchdogMs} ms is shorter than two of the lesson nodes' re-sends (every ${MOTION_RESEND_MS} ms): motors would stop between them; use at least ${2 * MOTION_RESEND_MS}` });
  }

  // The waits between attempts double from the first to the longest (protocol's Backoff).
  const { reconnectMs, reconnectMaxMs } = config.mqtt;
  if (reconnectMaxMs < reconnectMs) {
    ctx.addIssue({ code: 'custom', path: ['mqtt', 'reconnectMaxMs'], message: `the longest wait (${reconnectMaxMs} ms) is below the first (mqtt.reconnectMs, ${reconnectMs} ms); raise it to at least ${reconnectMs}` });
  }
  const { retryMinMs, retryMaxMs } = config.connection;
  if (retryMaxMs < retryMinMs) {
    ctx.addIssue({ code: 'custom', path: ['connection', 'retryMaxMs'], message: `the longest wait (${retryMaxMs} ms) is below the first (connection.retryMinMs, ${retryMinMs} ms); raise it to at least ${retryMinMs}` });
  }
}
