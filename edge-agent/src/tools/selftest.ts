/**
 * `stemlab agent selftest`: at the start and end of a session a technician checks that every
 * configured component answers. Sensors must produce a plausible reading; actuators must take a
 * command, briefly and gently (an LED blinks, a motor turns slowly for a moment, a relay clicks),
 * and are left as they were. Commands go through `agent.command`, the path lessons use, so the
 * kit's limits, the e-stop and the watchdog apply to the test too. Motors always end stopped.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Agent } from '../agent.ts';
import { componentPins, type ComponentConfig } from '../config/schema.ts';
import { AgentError } from '../core/errors.ts';
import type { Device } from '../devices/index.ts';
import type { Kit } from '../kits/kit.ts';
import { selftestTexts as say, type Said } from './selftest-texts.ts';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface ComponentCheck extends Said {
  component: string;
  type: ComponentConfig['type'];
  status: CheckStatus;
}

export interface KitCheck extends Said {
  kit: string;
  label: string | undefined;
  /** pass: connected; fail: not connected within the timeout (its components are then skipped). */
  status: CheckStatus;
  components: ComponentCheck[];
}

export interface SelftestReport {
  unit: string;
  gateway: string;
  estopLatched: boolean;
  kits: KitCheck[];
  /** Over kit and component checks. */
  counts: Record<CheckStatus, number>;
  /** Nothing failed. */
  ok: boolean;
}

export interface SelftestOptions {
  /** How long a kit may take to connect, and a sensor to produce its first reading (default 3000 ms). */
  timeoutMs?: number;
  /** How long an actuator stays in its test state: LED on, motor turning, relay switched (default 250 ms). */
  pulseMs?: number;
  /** Only these kits (the room console's per-kit self-test); every kit when absent. */
  kits?: readonly string[];
}

/** Slow enough that a robot on a table barely moves, fast enough to overcome a gearbox. */
const MOTOR_TEST_SPEED = 60;
const TONE_HZ = 880;

export async function selftest(agent: Agent, options: SelftestOptions = {}): Promise<SelftestReport> {
  const timeoutMs = options.timeoutMs ?? 3000;
  // A motor pulse shorter than the dead-man window, so the test measures the motor, not the watchdog.
  const pulseMs = Math.min(options.pulseMs ?? 250, Math.floor(agent.config.safety.watchdogMs / 2));
  const chosen = options.kits ? options.kits.map((id) => agent.kit(id)) : [...agent.kits.values()];
  const kits = await Promise.all(chosen.map((kit) => checkKit(agent, kit, timeoutMs, pulseMs)));
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const kit of kits) {
    counts[kit.status]++;
    for (const c of kit.components) counts[c.status]++;
  }
  return { unit: agent.config.unit, gateway: agent.config.gateway, estopLatched: agent.estop.latched, kits, counts, ok: counts.fail === 0 };
}

async function checkKit(agent: Agent, kit: Kit, timeoutMs: number, pulseMs: number): Promise<KitCheck> {
  const label = kit.status().label;
  // A kit still connecting (or retrying after a replug) gets the timeout to come up.
  await agent.waitForKits('connected', timeoutMs, [kit.id]).catch(() => undefined);
  const status = kit.status();
  const devices = [...kit.devices.values()];
  if (status.state !== 'connected') {
    const components = devices.map((d) => check(d, 'skip', say.kitNotConnected()));
    return { kit: kit.id, label, status: 'fail', ...say.kitDown(status.state, status.reason), components };
  }
  // Sensors are read together (each may wait for a first reading); actuators one at a time, so
  // whoever watches the kit can tell which one moved.
  const results = new Map<string, Promise<ComponentCheck>>();
  for (const device of devices) if (!isDriven(device)) results.set(device.id, checkSensor(agent, kit.id, device, timeoutMs));
  for (const device of devices) if (isDriven(device)) results.set(device.id, Promise.resolve(await checkActuator(agent, kit.id, device, pulseMs)));
  const components = await Promise.all(devices.map((d) => results.get(d.id)!));
  return { kit: kit.id, label, status: 'pass', ...say.kitUp(status.path), components };
}

/** Components the test drives: actuators, and LEDs (indicators the e-stop leaves alone). */
function isDriven(device: Device): boolean {
  return device.actuator || device.config.type === 'led';
}

function check(device: Device, status: CheckStatus, said: Said): ComponentCheck {
  return { component: device.id, type: device.config.type, status, ...said };
}

function pins(device: Device): Array<string | number> {
  return componentPins(device.config).map((p) => p.pin);
}

/** The sensor's latest value, or its first reading within the timeout. */
function reading(agent: Agent, kitId: string, device: Device, timeoutMs: number): Promise<unknown> {
  const now = device.value();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(undefined);
    }, timeoutMs);
    const off = agent.bus.on('component:reading', (r) => {
      if (r.kit !== kitId || r.component !== device.id) return;
      clearTimeout(timer);
      off();
      resolve(r.value);
    });
  });
}

async function checkSensor(agent: Agent, kitId: string, device: Device, timeoutMs: number): Promise<ComponentCheck> {
  const value = await reading(agent, kitId, device, timeoutMs);
  const config = device.config;
  if (value === undefined) {
    // Johnny-Five reports an analog value only when it moves by `threshold` from its start.
    const still = config.type === 'analog-sensor' && config.threshold > 1;
    return check(device, 'fail', say.noReading(timeoutMs, pins(device), still, config.type === 'proximity'));
  }
  const raw = (n: number) => Number.isInteger(n) && n >= 0 && n <= 1023;
  switch (config.type) {
    case 'analog-sensor': {
      const v = value as { raw: number; value: number };
      return raw(v.raw) ? check(device, 'pass', say.raw(v.raw, config.scale ? v.value : undefined)) : check(device, 'fail', say.rawOutside(v.raw));
    }
    case 'line-sensors': {
      const v = value as number[];
      return v.every(raw) ? check(device, 'pass', say.same(`[${v.join(', ')}]`)) : check(device, 'fail', say.linesOutside(v));
    }
    case 'thermometer': {
      const { celsius } = value as { celsius: number };
      if (celsius >= -20 && celsius <= 80) return check(device, 'pass', say.same(`${celsius} °C`));
      return check(device, 'fail', say.implausibleTemperature(celsius, pins(device), config.controller));
    }
    case 'proximity': {
      const { cm } = value as { cm: number | null };
      if (cm !== null) return check(device, 'pass', say.same(`${cm} cm`));
      return check(device, 'warn', say.noEcho(pins(device)));
    }
    case 'button': {
      const { pressed, held } = value as { pressed: boolean; held: boolean };
      return check(device, 'pass', say.button(held, pressed));
    }
    default:
      return check(device, 'pass', say.same(JSON.stringify(value)));
  }
}

async function checkActuator(agent: Agent, kitId: string, device: Device, pulseMs: number): Promise<ComponentCheck> {
  if (device.actuator && agent.estop.latched) return check(device, 'skip', say.estopSkipped(false));
  const send = (command: Record<string, unknown>) => agent.command(kitId, device.id, command, 'selftest');
  try {
    switch (device.config.type) {
      case 'led': {
        const before = device.value() as { on: boolean; brightness?: number; blinkMs?: number };
        send({ action: 'on' });
        await sleep(pulseMs);
        if (!before.on) send({ action: 'off' });
        else if (before.blinkMs !== undefined) send({ action: 'blink', ms: before.blinkMs });
        else if (before.brightness !== undefined) send({ action: 'brightness', value: before.brightness });
        else send({ action: 'on' });
        return check(device, 'pass', say.ledPulsed(pulseMs, before.on));
      }
      case 'motor': {
        // A lesson driving it now is not interrupted; the kit's watchdog guards it.
        if (device.moving) return check(device, 'skip', say.motorBusy());
        const limit = motorLimit(agent, kitId);
        if (limit === 0) return check(device, 'skip', say.motorForbidden());
        try {
          const applied = send({ action: 'forward', speed: Math.min(MOTOR_TEST_SPEED, limit) });
          await sleep(pulseMs);
          return check(device, 'pass', say.motorPulsed(String(applied.speed), pulseMs));
        } finally {
          // Stopped even if the pulse failed half-way; under a fresh e-stop it already is.
          if (!agent.estop.latched) send({ action: 'stop' });
        }
      }
      case 'servo': {
        const { angle } = device.value() as { angle: number | undefined };
        const applied = send(angle === undefined ? { action: 'center' } : { action: 'to', degrees: angle });
        return check(device, 'pass', angle === undefined ? say.servoCentred(String(applied.angle)) : say.servoHeld(angle));
      }
      case 'relay': {
        const { on } = device.value() as { on: boolean };
        send({ action: 'toggle' });
        await sleep(pulseMs);
        send({ action: on ? 'on' : 'off' });
        return check(device, 'pass', say.relayPulsed(on, pulseMs));
      }
      case 'piezo': {
        if ((device.value() as { playing: boolean }).playing) return check(device, 'skip', say.piezoBusy());
        send({ action: 'tone', frequency: TONE_HZ, ms: Math.max(pulseMs, 10) });
        await sleep(pulseMs);
        send({ action: 'off' });
        return check(device, 'pass', say.tone(TONE_HZ, pulseMs));
      }
      default:
        return check(device, 'skip', say.notActuator());
    }
  } catch (err) {
    if (err instanceof AgentError && err.code === 'ESTOP_LATCHED') return check(device, 'skip', say.estopSkipped(true));
    return check(device, 'fail', say.same((err as Error).message));
  }
}

function motorLimit(agent: Agent, kitId: string): number {
  return agent.config.kits.find((k) => k.id === kitId)?.limits.maxMotorSpeed ?? 0;
}

/** A table, one line per check, ending with the verdict, e.g. "12 passed, 1 warning, 0 failed". */
export function formatSelftestReport(report: SelftestReport): string {
  const out = [`Self-test of ${report.unit}/${report.gateway}${report.estopLatched ? ' (e-stop LATCHED: actuators skipped)' : ''}`];
  const all = report.kits.flatMap((k) => k.components);
  const idWidth = Math.max(4, ...report.kits.map((k) => k.kit.length), ...all.map((c) => c.component.length + 2));
  const typeWidth = Math.max(0, ...all.map((c) => c.type.length));
  for (const kit of report.kits) {
    out.push('', `${kit.kit.padEnd(idWidth)}  ${''.padEnd(typeWidth)}  ${kit.status.toUpperCase().padEnd(4)}  ${kit.detail}`);
    for (const c of kit.components) {
      out.push(`  ${c.component.padEnd(idWidth - 2)}  ${c.type.padEnd(typeWidth)}  ${c.status.toUpperCase().padEnd(4)}  ${c.detail}`);
    }
  }
  const { pass, warn, fail, skip } = report.counts;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  out.push('', `${pass} passed, ${plural(warn, 'warning')}, ${fail} failed${skip > 0 ? `, ${skip} skipped` : ''}`);
  return out.join('\n');
}
