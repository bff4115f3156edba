/**
 * Commands to a kit's components: what a lesson flow, a teacher's tool or the central side may
 * ask an actuator to do, or a sensor to report. One zod schema per component type, shared by
 * the agent (which validates and applies them) and every tool that sends them.
 */
import { z } from 'zod';

const speed = z.number().int().min(0).max(255).describe('PWM duty 0–255; clamped to the kit limit maxMotorSpeed.');
const degrees = z.number().min(0).max(180).describe('Angle in degrees; clamped to the servo range and the kit limit.');

export const ledCommand = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('on') }),
  z.strictObject({ action: z.literal('off') }),
  z.strictObject({ action: z.literal('toggle') }),
  z.strictObject({ action: z.literal('brightness'), value: z.number().int().min(0).max(255) }),
  z.strictObject({ action: z.literal('blink'), ms: z.number().int().min(20).max(10_000).default(500) }),
]);

export const servoCommand = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('to'), degrees }),
  z.strictObject({ action: z.literal('center') }),
  z.strictObject({ action: z.literal('stop') }),
]);

export const motorCommand = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('forward'), speed }),
  z.strictObject({ action: z.literal('reverse'), speed }),
  z.strictObject({ action: z.literal('stop') }),
]);

export const piezoCommand = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('tone'),
    frequency: z.number().int().min(20).max(20_000).describe('Hz'),
    ms: z.number().int().min(10).max(10_000).default(250),
  }),
  z.strictObject({ action: z.literal('off') }),
]);

export const relayCommand = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('on') }).describe('Power the load (closes a normally-open contact).'),
  z.strictObject({ action: z.literal('off') }),
  z.strictObject({ action: z.literal('toggle') }),
]);

/** Sensors and buttons take one command: report what they read now. */
export const readCommand = z.strictObject({ action: z.literal('read') });

export type LedCommand = z.infer<typeof ledCommand>;
export type ServoCommand = z.infer<typeof servoCommand>;
export type MotorCommand = z.infer<typeof motorCommand>;
export type PiezoCommand = z.infer<typeof piezoCommand>;
export type RelayCommand = z.infer<typeof relayCommand>;
export type ReadCommand = z.infer<typeof readCommand>;

/** The command schema of each component type. */
export const commandSchemas = {
  led: ledCommand,
  servo: servoCommand,
  motor: motorCommand,
  piezo: piezoCommand,
  relay: relayCommand,
  button: readCommand,
  'analog-sensor': readCommand,
  thermometer: readCommand,
  proximity: readCommand,
  'line-sensors': readCommand,
} as const;

export type ComponentKind = keyof typeof commandSchemas;
