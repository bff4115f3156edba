import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/log.ts';

/**
 * The gateway's emergency stop. Triggered by the Pi's e-stop button, a command or
 * `stemlab agent estop`, it stops every actuator of every kit and latches: actuators take no
 * command until a teacher resets it. Triggering it again while latched stops everything again.
 *
 * The latch comes first: whatever a stop throws (a Johnny-Five call on a board that just went
 * away), no actuator takes a command from then on; each kit and each device is stopped in its
 * own try/catch (agent.ts, kit.ts), so one failure leaves no other kit running.
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
    const first = this.latchedBy === undefined;
    if (first) this.latchedBy = source;
    try {
      this.stopAll();
    } catch (err) {
      this.log.error({ err, source }, 'EMERGENCY STOP: a stop failed; the latch holds');
    }
    if (!first) return;
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
