import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/log.ts';

/**
 * The gateway's emergency stop. Triggered by the Pi's e-stop button, a command or
 * `stemlab agent estop`, it stops every actuator of every kit and latches: actuators take no
 * command until a teacher resets it. Triggering it again while latched stops everything again.
 */
export class EmergencyStop {
  private latchedBy: string | undefined;

  constructor(
    private readonly stopAll: () => void,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  get latched(): boolean {
    return this.latchedBy !== undefined;
  }

  get source(): string | undefined {
    return this.latchedBy;
  }

  trigger(source: string): void {
    this.stopAll();
    if (this.latchedBy !== undefined) return;
    this.latchedBy = source;
    this.log.warn({ source }, 'EMERGENCY STOP: every actuator stopped; latched until a teacher resets it');
    this.bus.emit('estop', { latched: true, source, at: Date.now() });
  }

  reset(by: string): void {
    if (this.latchedBy === undefined) return;
    this.latchedBy = undefined;
    this.log.warn({ by }, 'emergency stop reset');
    this.bus.emit('estop', { latched: false, source: by, at: Date.now() });
  }
}
