/**
 * The kits the lessons are written for, as agent config (edge-agent/src/config/schema.ts):
 * - 'robot': the robot-club robot, exactly as robot-1 of edge-agent/examples/robot-club.yaml
 *   (two motors, HC-SR04 sonar, 3 line sensors, sonar servo, LED, start button, buzzer);
 * - 'automation': the applied-automation board a club builds its projects on (a traffic light,
 *   an automatic door or barrier, a greenhouse): three LEDs, a button, a buzzer, a servo, the
 *   sonar, an LM35 thermometer and a fan driven like an LED (through a transistor).
 * A check gives the student's flow one kit of the lesson's profile, named as the flow names it.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type KitProfile = 'robot' | 'automation';

export interface KitComponent {
  type: string;
  id: string;
  label?: string;
  [key: string]: unknown;
}

export interface KitConfig {
  id: string;
  label?: string;
  board: 'uno' | 'mega';
  find: { sim: string };
  firmware?: string;
  limits?: Record<string, unknown>;
  components: KitComponent[];
}

const clubConfig = new URL('../../edge-agent/examples/robot-club.yaml', import.meta.url);

function clubRobot(): KitConfig {
  const club = parse(readFileSync(clubConfig, 'utf8')) as { kits: KitConfig[] };
  const robot = club.kits.find((k) => k.id === 'robot-1');
  if (!robot) throw new Error(`${clubConfig.pathname} has no kit robot-1`);
  return robot;
}

const automation: Omit<KitConfig, 'id' | 'find'> = {
  label: 'Automation board',
  board: 'uno',
  firmware: 'PingFirmata',
  limits: { servoRange: [0, 180] },
  components: [
    { type: 'led', id: 'red', label: 'Red LED', pin: 11 },
    { type: 'led', id: 'yellow', label: 'Yellow LED', pin: 12 },
    { type: 'led', id: 'green', label: 'Green LED', pin: 13 },
    { type: 'button', id: 'button', label: 'Push button', pin: 2, pullup: true },
    { type: 'piezo', id: 'buzzer', label: 'Buzzer', pin: 3 },
    { type: 'servo', id: 'servo', label: 'Door / barrier servo', pin: 9, startAt: 0 },
    { type: 'proximity', id: 'sonar', label: 'HC-SR04 distance', pin: 8 },
    { type: 'thermometer', id: 'temp', label: 'Temperature (LM35)', pin: 'A0', controller: 'LM35' },
    { type: 'led', id: 'fan', label: 'Fan (through a transistor)', pin: 7 },
  ],
};

/** A kit of `profile` with the id `id`, found as the simulated board of the same name. */
export function kitConfig(profile: KitProfile, id: string): KitConfig {
  const base = profile === 'robot' ? clubRobot() : { ...automation, id, find: { sim: id } };
  return structuredClone({ ...base, id, find: { sim: id } });
}

/** The pins of a kit's components, for judges reading the simulated board. */
export function pinOf(kit: KitConfig, component: string): number | string {
  const c = kit.components.find((x) => x.id === component);
  if (!c) throw new Error(`kit ${kit.id} has no component ${component}`);
  return c.pin as number | string;
}
