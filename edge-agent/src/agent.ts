import type { BindingInterface } from '@serialport/bindings-interface';
import type { AgentConfig } from './config/schema.ts';
import { AgentError } from './core/errors.ts';
import { EventBus, type CommandOrigin, type KitState } from './core/events.ts';
import type { Extension, ExtensionContext } from './core/extension.ts';
import { createLogger, type Logger } from './core/log.ts';
import type { GpioChip } from './gpio/types.ts';
import { Kit, type KitStatus } from './kits/kit.ts';
import { KitDrivers } from './safety/drivers.ts';
import { EmergencyStop } from './safety/estop.ts';
import { GpioExtension } from './safety/gpio-extension.ts';

/** The hardware an agent drives, passed in: real or simulated, the agent cannot tell. */
export interface AgentHardware {
  /** Serial ports: serialport's native binding, a simulator's, or both (see kits/serial.ts). */
  serial: BindingInterface;
  gpio: GpioChip;
}

export interface AgentStatus {
  unit: string;
  gateway: string;
  room: string;
  estop: { latched: boolean; source: string | undefined };
  kits: KitStatus[];
}

/**
 * The edge agent of one gateway: its kits, its GPIO, its safety, and the extensions that make
 * it useful (the local API, and later MQTT, usage tracking, Node-RED). Nothing global: two
 * agents in one process share nothing.
 */
export class Agent {
  readonly bus: EventBus;
  readonly log: Logger;
  readonly kits: ReadonlyMap<string, Kit>;
  readonly estop: EmergencyStop;
  /** One driver per kit (safety/drivers.ts). */
  readonly drivers: KitDrivers;
  private readonly gpio: GpioExtension;
  private readonly extensions: Extension[] = [];
  private started = false;

  constructor(
    readonly config: AgentConfig,
    private readonly hardware: AgentHardware,
    options: { log?: Logger } = {},
  ) {
    this.log = (options.log ?? createLogger(config.log.level)).child({ unit: config.unit, gateway: config.gateway });
    this.bus = new EventBus(this.log);
    this.estop = new EmergencyStop(() => this.stopAllActuators('estop'), this.bus, this.log);
    this.drivers = new KitDrivers(config.safety.driverIdleMs, this.bus);
    const kits = new Map<string, Kit>();
    for (const kit of config.kits) {
      kits.set(
        kit.id,
        new Kit({
          config: kit,
          connection: config.connection,
          watchdogMs: config.safety.watchdogMs,
          binding: hardware.serial,
          bus: this.bus,
          log: this.log,
          estopLatched: () => this.estop.latched,
        }),
      );
    }
    this.kits = kits;
    this.gpio = new GpioExtension(this.context, hardware.gpio, this.estop, () => [...this.kits.values()].every((k) => k.connected));
  }

  /** What an extension is given. */
  get context(): ExtensionContext {
    return { config: this.config, bus: this.bus, log: this.log };
  }

  /** Add an extension; it starts with the agent (or at once if the agent runs) and stops before the kits. */
  async use(extension: Extension): Promise<void> {
    this.extensions.push(extension);
    if (this.started) await extension.start();
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.log.info({ kits: this.kits.size }, 'agent starting');
    await this.gpio.start();
    for (const kit of this.kits.values()) kit.start();
    for (const extension of this.extensions) await extension.start();
  }

  /** Stop every actuator, then release every port, line, timer and listener. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const extension of [...this.extensions].reverse()) {
      try {
        await extension.stop();
      } catch (err) {
        this.log.error({ err, extension: extension.name }, 'extension failed to stop');
      }
    }
    await Promise.all([...this.kits.values()].map((kit) => kit.stop()));
    await this.gpio.stop();
    this.log.info('agent stopped');
  }

  kit(id: string): Kit {
    const kit = this.kits.get(id);
    if (!kit) throw new AgentError('KIT_UNKNOWN', `no kit '${id}' on gateway '${this.config.gateway}' (kits: ${[...this.kits.keys()].join(', ') || 'none'})`);
    return kit;
  }

  /**
   * Send a command to a component: `kit` 'gpio' addresses the Pi's own LEDs. A command that
   * moves an actuator claims the kit for `driver` (default: the origin), refused with KIT_BUSY
   * while another driver holds it (safety/drivers.ts). The self-test never claims; nor does the
   * demo's scripted driver, which yields to any lesson by itself (cli/demo/square-driver.ts).
   */
  command(kitId: string, componentId: string, command: unknown, origin: CommandOrigin = 'api', driver: string = origin): Record<string, unknown> {
    if (kitId === 'gpio') {
      const action = (command as { action?: unknown } | null)?.action;
      if (action !== 'on' && action !== 'off') throw new AgentError('COMMAND_INVALID', "a GPIO LED takes {action: 'on'} or {action: 'off'}");
      this.gpio.setLed(componentId, action === 'on');
      return { on: action === 'on' };
    }
    const kit = this.kit(kitId);
    if (origin !== 'selftest' && origin !== 'demo' && kit.device(componentId).actuator && !isRead(command)) this.drivers.claim(kitId, driver);
    return kit.command(componentId, command, origin);
  }

  status(): AgentStatus {
    return {
      unit: this.config.unit,
      gateway: this.config.gateway,
      room: this.config.room,
      estop: { latched: this.estop.latched, source: this.estop.source },
      kits: [...this.kits.values()].map((kit) => kit.status()),
    };
  }

  /** Resolve when every kit (or the named ones) is in `state`; for tests, the demo and selftest. */
  waitForKits(state: KitState = 'connected', timeoutMs = 10_000, ids: string[] = [...this.kits.keys()]): Promise<void> {
    const done = () => ids.every((id) => this.kit(id).status().state === state);
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        const states = ids.map((id) => `${id}: ${this.kit(id).status().state}`).join(', ');
        reject(new Error(`kits not ${state} within ${timeoutMs} ms (${states})`));
      }, timeoutMs);
      const off = this.bus.on('kit:state', () => {
        if (!done()) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  /** Every kit, each in its own try/catch: one kit that throws must not leave the next one running. */
  private stopAllActuators(reason: 'estop'): void {
    for (const kit of this.kits.values()) {
      try {
        kit.stopActuators(reason);
      } catch (err) {
        this.log.error({ err, kit: kit.id, reason }, 'a kit could not be stopped');
      }
    }
  }
}

/** A stop or a read moves nothing, so it needs no claim on the kit. */
function isRead(command: unknown): boolean {
  const action = (command as { action?: unknown } | null)?.action;
  return action === 'read' || action === 'stop' || action === 'off';
}
