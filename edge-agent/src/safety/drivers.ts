import type { EventBus } from '../core/events.ts';
import { AgentError } from '../core/errors.ts';

/** Who holds a kit: the program whose commands move it. */
export interface KitDriver {
  /** e.g. 'flow:<tab id>', 'demo', 'api:teacher', 'mqtt'. */
  driver: string;
  since: number;
  lastAt: number;
}

/**
 * One driver per kit, enforced by the agent (not only shown): two programs that move the same
 * robot at once fight over its motors, which is how a lesson "does nothing" or a robot leaves
 * the table. The first driver to move a kit's actuators holds it; another is refused with
 * KIT_BUSY until the holder has been silent for `idleMs`, or a teacher hands the kit over
 * (`handOver`). Stops (e-stop, watchdog), the technician's self-test and the demo's script
 * (which yields to lessons by itself) never ask.
 */
export class KitDrivers {
  private readonly holders = new Map<string, KitDriver>();

  constructor(
    private readonly idleMs: number,
    private readonly bus: EventBus,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws KIT_BUSY when another driver holds `kit`; otherwise `driver` holds it from now. */
  claim(kit: string, driver: string): void {
    const at = this.now();
    const held = this.holders.get(kit);
    if (held && held.driver !== driver && at - held.lastAt < this.idleMs) {
      throw new AgentError('KIT_BUSY', `kit '${kit}' is driven by ${held.driver}; one program drives a kit at a time: stop it, wait ${Math.ceil(this.idleMs / 1000)} s after its last command, or ask the teacher to hand the kit over on the console`);
    }
    if (held?.driver === driver) {
      held.lastAt = at;
      return;
    }
    this.holders.set(kit, { driver, since: at, lastAt: at });
    this.bus.emit('kit:driver', { kit, driver, at });
  }

  /** The teacher's decision: `driver` holds `kit` now (undefined frees it). */
  handOver(kit: string, driver: string | undefined): void {
    const at = this.now();
    if (driver === undefined) this.holders.delete(kit);
    else this.holders.set(kit, { driver, since: at, lastAt: at });
    this.bus.emit('kit:driver', { kit, driver, at });
  }

  /** The kit's current driver, if it has one that is not idle. */
  holder(kit: string): KitDriver | undefined {
    const held = this.holders.get(kit);
    return held && this.now() - held.lastAt < this.idleMs ? { ...held } : undefined;
  }
}
