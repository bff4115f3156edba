import type five from 'johnny-five';
import type { Firmata } from 'firmata-io';
import type { z } from 'zod';
import { describeIssues } from '@stemlab/protocol';
import type { ComponentConfig, KitConfig } from '../config/schema.ts';
import { AgentError } from '../core/errors.ts';

/** What a device needs from its kit: the kit's config (limits) and a way to report readings. */
export interface DeviceContext {
  kit: KitConfig;
  /** Pin numbers as the board knows them ("A0" → 14 on an Uno). */
  pin(pin: number | string): number;
  reading(value: unknown): void;
}

/** The live hardware a device drives while its kit is connected. */
export interface Hardware {
  board: five.Board;
  io: Firmata;
}

/**
 * One component of a kit. It outlives the kit's connection: `attach` builds the Johnny-Five
 * objects on a fresh board and re-applies the state people asked for (an LED left on, a servo's
 * angle), `detach` drops them when the board goes away. Motors are never restored: a robot
 * unplugged mid-motion stays stopped until a lesson drives it again.
 */
export abstract class Device<C extends ComponentConfig = ComponentConfig, Command = unknown> {
  /** Actuators are stopped by the watchdog and the e-stop; sensors and indicators are not. */
  abstract readonly actuator: boolean;
  protected hardware: Hardware | undefined;

  constructor(
    readonly config: C,
    protected readonly ctx: DeviceContext,
    private readonly schema: z.ZodType<Command>,
  ) {}

  get id(): string {
    return this.config.id;
  }

  get attached(): boolean {
    return this.hardware !== undefined;
  }

  attach(hardware: Hardware): void {
    this.hardware = hardware;
    this.build(hardware);
  }

  detach(): void {
    if (!this.hardware) return;
    this.teardown();
    this.hardware = undefined;
  }

  /** Validate a command and apply it; returns what was actually applied (after limits). */
  command(input: unknown): Record<string, unknown> {
    const parsed = this.schema.safeParse(input);
    if (!parsed.success) {
      throw new AgentError('COMMAND_INVALID', `${this.config.type} '${this.id}': ${describeIssues(parsed.error, 'command')}`);
    }
    return this.apply(parsed.data);
  }

  /** Bring the device to a safe state (stop motors, silence buzzers, open relays). */
  safeStop(): void {}

  /** Whether the device is moving something, for the dead-man watchdog. */
  get moving(): boolean {
    return false;
  }

  /** The device's current value or state, for status reports and `read` commands. */
  abstract value(): unknown;

  protected abstract build(hardware: Hardware): void;
  protected abstract teardown(): void;
  protected abstract apply(command: Command): Record<string, unknown>;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
