import type { BindingInterface } from '@serialport/bindings-interface';
import { Backoff } from '@stemlab/protocol';
import type { AgentConfig, KitConfig } from '../config/schema.ts';
import { kitPin } from '../config/schema.ts';
import { AgentError } from '../core/errors.ts';
import type { CommandOrigin, EventBus, KitState } from '../core/events.ts';
import type { Logger } from '../core/log.ts';
import { createDevice, type Device } from '../devices/index.ts';
import { DeadManWatchdog } from '../safety/watchdog.ts';
import { openBoard, type BoardConnection } from './connection.ts';
import { describeFinder, findPort } from './finder.ts';

export interface KitOptions {
  config: KitConfig;
  connection: AgentConfig['connection'];
  watchdogMs: number;
  binding: BindingInterface;
  bus: EventBus;
  log: Logger;
  /** Whether the gateway's emergency stop is latched (actuators then take no command). */
  estopLatched: () => boolean;
}

export interface KitStatus {
  id: string;
  label: string | undefined;
  state: KitState;
  reason: string | undefined;
  path: string | undefined;
  components: Array<{ id: string; type: string; value: unknown }>;
}

/**
 * One Arduino kit for the life of the agent. Johnny-Five cannot reconnect a board, so each
 * connection is a fresh port, Firmata and Johnny-Five board; the kit's devices outlive them and
 * re-apply their state to each new one. Unplugged, stalled or faulty, the kit retries with
 * backoff while every other kit carries on.
 */
export class Kit {
  readonly id: string;
  readonly devices: ReadonlyMap<string, Device>;
  private state: KitState = 'stopped';
  private reason: string | undefined;
  private connection: BoardConnection | undefined;
  private path: string | undefined;
  private running = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly retryBackoff: Backoff;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private unanswered = 0;
  private readonly watchdog: DeadManWatchdog;
  private readonly log: Logger;

  constructor(private readonly options: KitOptions) {
    const { config, bus } = options;
    this.id = config.id;
    this.log = options.log.child({ module: 'kit', kit: config.id });
    this.retryBackoff = new Backoff({ minMs: options.connection.retryMinMs, maxMs: options.connection.retryMaxMs });
    this.watchdog = new DeadManWatchdog(options.watchdogMs, () => this.stopMovers('watchdog'));
    const devices = new Map<string, Device>();
    for (const component of config.components) {
      devices.set(
        component.id,
        createDevice(component, {
          kit: config,
          pin: (pin) => kitPin(config, pin),
          reading: (value) => bus.emit('component:reading', { kit: this.id, component: component.id, type: component.type, value, at: Date.now() }),
        }),
      );
    }
    this.devices = devices;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  /** Stop every actuator, let the stop reach the board, close the port. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    this.watchdog.cancel();
    const connection = this.connection;
    if (connection) {
      this.stopActuators('shutdown');
      // Detaching writes too (an LED's blink stops). Then SYSTEM_RESET leaves the board as at
      // power-on (pins low, no reporting) even where closing the port does not reset it.
      this.release();
      connection.io.reset();
      await connection.flush();
      await connection.close();
    }
    this.setState('stopped', 'the agent stopped');
  }

  status(): KitStatus {
    return {
      id: this.id,
      label: this.options.config.label,
      state: this.state,
      reason: this.reason,
      path: this.path,
      components: [...this.devices.values()].map((d) => ({ id: d.id, type: d.config.type, value: d.value() })),
    };
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Apply a command to a component; throws an AgentError that says why it was refused. */
  command(componentId: string, input: unknown, origin: CommandOrigin = 'api'): Record<string, unknown> {
    const device = this.device(componentId);
    if (device.actuator && this.options.estopLatched()) {
      throw new AgentError('ESTOP_LATCHED', `emergency stop is latched: ${this.id}/${componentId} takes no command until a teacher resets it`);
    }
    if (!this.connected) {
      throw new AgentError('KIT_NOT_CONNECTED', `kit '${this.id}' is ${this.state}${this.reason ? ` (${this.reason})` : ''}; the agent keeps retrying`);
    }
    const applied = device.command(input);
    if (device.actuator && device.moving) this.watchdog.kick();
    this.options.bus.emit('component:command', {
      kit: this.id,
      component: componentId,
      type: device.config.type,
      command: input as Record<string, unknown>,
      origin,
      at: Date.now(),
    });
    return applied;
  }

  /** Bring every actuator to a safe stop (e-stop, shutdown). */
  stopActuators(reason: 'estop' | 'shutdown' | 'disconnect'): void {
    this.watchdog.cancel();
    // Each device on its own: a Johnny-Five call that throws must not leave the others running.
    for (const device of this.devices.values()) {
      if (!device.actuator) continue;
      try {
        device.safeStop();
      } catch (err) {
        this.log.error({ err, component: device.id, reason }, 'an actuator could not be stopped');
      }
    }
    this.options.bus.emit('safety:stop', { kit: this.id, reason, at: Date.now() });
  }

  device(componentId: string): Device {
    const device = this.devices.get(componentId);
    if (!device) {
      const known = [...this.devices.keys()].join(', ') || 'none';
      throw new AgentError('COMPONENT_UNKNOWN', `kit '${this.id}' has no component '${componentId}' (it has: ${known})`);
    }
    return device;
  }

  private stopMovers(reason: 'watchdog'): void {
    const movers = [...this.devices.values()].filter((d) => d.actuator && d.moving);
    if (movers.length === 0) return;
    for (const device of movers) device.safeStop();
    this.log.warn({ components: movers.map((d) => d.id) }, `no command within ${this.options.watchdogMs} ms: stopped`);
    this.options.bus.emit('safety:stop', { kit: this.id, reason, at: Date.now() });
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (!this.running) return;
    const { config, binding, connection: settings } = this.options;
    // Retries stay 'disconnected' (or 'fault') until they succeed: one event per change a person cares about.
    if (this.state === 'stopped') this.setState('connecting', describeFinder(config.find));
    let connection: BoardConnection;
    try {
      const found = findPort(config.find, await binding.list());
      if (!found) throw new AgentError('BOARD_NOT_FOUND', `no board matches ${describeFinder(config.find)}; is it plugged in? \`stemlab agent doctor\` lists serial ports`);
      this.path = found.path;
      connection = await openBoard(found.path, binding, settings.readyTimeoutMs, (err) => this.log.warn({ err: err.message }, 'serial link error'));
    } catch (err) {
      const fault = err instanceof AgentError && err.code === 'BOARD_NO_FIRMATA';
      this.setState(fault ? 'fault' : 'disconnected', (err as Error).message);
      this.scheduleRetry();
      return;
    }
    if (!this.running) {
      await connection.close();
      return;
    }
    this.connection = connection;
    connection.port.once('close', (err?: { disconnected?: boolean }) => this.lost(err?.disconnected ? 'unplugged' : 'port closed', 'disconnected'));
    for (const device of this.devices.values()) {
      try {
        device.attach({ board: connection.board, io: connection.io });
      } catch (err) {
        this.log.error({ err, component: device.id }, 'component could not start');
      }
    }
    this.retryBackoff.reset();
    this.startHeartbeat();
    this.setState('connected', `on ${this.path}`);
  }

  /** The link is gone (unplugged, stalled, closed): forget the board, stop, retry. */
  private lost(reason: string, state: KitState): void {
    if (!this.connection) return;
    const moving = [...this.devices.values()].some((d) => d.actuator && d.moving);
    this.release();
    if (moving) this.options.bus.emit('safety:stop', { kit: this.id, reason: 'disconnect', at: Date.now() });
    if (!this.running) return;
    this.setState(state, reason);
    this.scheduleRetry();
  }

  /** Drop the board: devices detach (motors count as stopped), timers stop. */
  private release(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.watchdog.cancel();
    for (const device of this.devices.values()) device.detach();
    this.connection = undefined;
  }

  /**
   * Ask the firmware for its version every heartbeatMs. Two unanswered asks mean the board hangs:
   * closing the port ends this connection, and reopening it resets the board (DTR).
   */
  private startHeartbeat(): void {
    this.unanswered = 0;
    this.heartbeatTimer = setInterval(() => {
      const connection = this.connection;
      if (!connection) return;
      if (this.unanswered >= 2) {
        this.log.warn('board stopped answering');
        this.lost('the board stopped answering (stalled); resetting it', 'fault');
        void connection.close();
        return;
      }
      this.unanswered++;
      (connection.io as unknown as { reportVersion(cb: () => void): void }).reportVersion(() => {
        this.unanswered = 0;
      });
    }, this.options.connection.heartbeatMs);
  }

  private scheduleRetry(): void {
    if (!this.running || this.retryTimer) return;
    const delay = this.retryBackoff.next();
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private setState(state: KitState, reason?: string): void {
    if (this.state === state && this.reason === reason) return;
    this.state = state;
    this.reason = reason;
    const level = state === 'connected' || state === 'connecting' || state === 'stopped' ? 'info' : 'warn';
    this.log[level]({ state, reason }, `kit ${state}`);
    this.options.bus.emit('kit:state', { kit: this.id, state, reason, at: Date.now() });
  }
}
