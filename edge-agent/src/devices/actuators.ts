import five from 'johnny-five';
import { ledCommand, motorCommand, piezoCommand, relayCommand, servoCommand } from '@stemlab/protocol';
import type { LedCommand, MotorCommand, PiezoCommand, RelayCommand, ServoCommand } from '@stemlab/protocol';
import type { ComponentOf } from '../config/schema.ts';
import { clamp, Device, type DeviceContext, type Hardware } from './device.ts';

type LedState = { on: false } | { on: true; brightness?: number; blinkMs?: number };

/** An LED: an indicator, so the e-stop leaves it alone (it may show the stop). */
export class LedDevice extends Device<ComponentOf<'led'>, LedCommand> {
  readonly actuator = false;
  private led: five.Led | undefined;
  private state: LedState = { on: false };

  constructor(config: ComponentOf<'led'>, ctx: DeviceContext) {
    super(config, ctx, ledCommand);
  }

  protected build({ board }: Hardware): void {
    this.led = new five.Led({ pin: this.ctx.pin(this.config.pin), board });
    this.show();
  }

  protected teardown(): void {
    this.led?.stop();
    this.led = undefined;
  }

  protected apply(command: LedCommand): Record<string, unknown> {
    switch (command.action) {
      case 'on':
        this.state = { on: true };
        break;
      case 'off':
        this.state = { on: false };
        break;
      case 'toggle':
        this.state = this.state.on ? { on: false } : { on: true };
        break;
      case 'brightness':
        this.state = command.value > 0 ? { on: true, brightness: command.value } : { on: false };
        break;
      case 'blink':
        this.state = { on: true, blinkMs: command.ms };
        break;
    }
    this.show();
    return { ...this.state };
  }

  value(): LedState {
    return { ...this.state };
  }

  private show(): void {
    const led = this.led;
    if (!led) return;
    led.stop();
    const state = this.state;
    if (!state.on) led.off();
    else if (state.blinkMs !== undefined) led.blink(state.blinkMs);
    else if (state.brightness !== undefined && this.config.pwm) led.brightness(state.brightness);
    else led.on();
  }
}

/** A hobby servo; its angle is kept within its own range and the kit's limit, and restored on reconnect. */
export class ServoDevice extends Device<ComponentOf<'servo'>, ServoCommand> {
  readonly actuator = true;
  private servo: five.Servo | undefined;
  private angle: number | undefined;
  private readonly range: [number, number];

  constructor(config: ComponentOf<'servo'>, ctx: DeviceContext) {
    super(config, ctx, servoCommand);
    const [kitMin, kitMax] = ctx.kit.limits.servoRange;
    const [min, max] = config.range ?? [kitMin, kitMax];
    this.range = [Math.max(min, kitMin), Math.min(max, kitMax)];
    this.angle = config.startAt;
  }

  protected build({ board }: Hardware): void {
    // pwmRange sends SERVO_CONFIG with the Servo library's own 544–2400 µs, so Johnny-Five's
    // degrees and the firmware's agree (without it 90° lands at 93°).
    this.servo = new five.Servo({ pin: this.ctx.pin(this.config.pin), board, range: this.range, pwmRange: [544, 2400] } as five.ServoGeneralOption);
    if (this.angle !== undefined) this.servo.to(this.angle);
  }

  protected teardown(): void {
    this.servo?.stop();
    this.servo = undefined;
  }

  protected apply(command: ServoCommand): Record<string, unknown> {
    if (command.action === 'stop') {
      this.servo?.stop();
      return { angle: this.angle };
    }
    const requested = command.action === 'center' ? (this.range[0] + this.range[1]) / 2 : command.degrees;
    this.angle = clamp(requested, ...this.range);
    this.servo?.to(this.angle);
    return { angle: this.angle, ...(this.angle !== requested ? { clampedFrom: requested } : {}) };
  }

  override safeStop(): void {
    this.servo?.stop();
  }

  value(): { angle: number | undefined } {
    return { angle: this.angle };
  }
}

/** A DC motor on a driver channel; its speed never exceeds the kit's maxMotorSpeed. */
export class MotorDevice extends Device<ComponentOf<'motor'>, MotorCommand> {
  readonly actuator = true;
  private motor: five.Motor | undefined;
  private speed = 0;
  private direction: 'forward' | 'reverse' = 'forward';

  constructor(config: ComponentOf<'motor'>, ctx: DeviceContext) {
    super(config, ctx, motorCommand);
  }

  protected build({ board }: Hardware): void {
    const { pwm, dir, cdir, brake } = this.config.pins;
    const pins = {
      pwm: this.ctx.pin(pwm),
      dir: this.ctx.pin(dir),
      ...(cdir !== undefined ? { cdir: this.ctx.pin(cdir) } : {}),
      ...(brake !== undefined ? { brake: this.ctx.pin(brake) } : {}),
    };
    this.motor = new five.Motor({ pins, board, invertPWM: this.config.invertPWM });
    // A fresh board starts with the motor stopped, and so does the agent's idea of it.
    this.speed = 0;
    this.motor.stop();
  }

  protected teardown(): void {
    this.speed = 0;
    this.motor = undefined;
  }

  protected apply(command: MotorCommand): Record<string, unknown> {
    if (command.action === 'stop') {
      this.stopMotor();
      return { speed: 0 };
    }
    const limit = this.ctx.kit.limits.maxMotorSpeed;
    this.speed = Math.min(command.speed, limit);
    this.direction = command.action;
    if (this.speed === 0) this.motor?.stop();
    else if (command.action === 'forward') this.motor?.forward(this.speed);
    else this.motor?.reverse(this.speed);
    return { direction: this.direction, speed: this.speed, ...(this.speed !== command.speed ? { clampedFrom: command.speed } : {}) };
  }

  override safeStop(): void {
    this.stopMotor();
  }

  override get moving(): boolean {
    return this.speed > 0;
  }

  value(): { direction: string; speed: number } {
    return { direction: this.direction, speed: this.speed };
  }

  private stopMotor(): void {
    this.speed = 0;
    this.motor?.stop();
  }
}

/** A piezo buzzer. */
export class PiezoDevice extends Device<ComponentOf<'piezo'>, PiezoCommand> {
  readonly actuator = true;
  private piezo: five.Piezo | undefined;
  private playing = false;

  constructor(config: ComponentOf<'piezo'>, ctx: DeviceContext) {
    super(config, ctx, piezoCommand);
  }

  protected build({ board }: Hardware): void {
    this.piezo = new five.Piezo({ pin: this.ctx.pin(this.config.pin), board });
  }

  protected teardown(): void {
    this.silence();
    this.piezo = undefined;
  }

  protected apply(command: PiezoCommand): Record<string, unknown> {
    if (command.action === 'off') {
      this.silence();
      return { playing: false };
    }
    this.playing = true;
    this.piezo?.frequency(command.frequency, command.ms);
    return { playing: true, frequency: command.frequency, ms: command.ms };
  }

  override safeStop(): void {
    this.silence();
  }

  value(): { playing: boolean } {
    return { playing: this.playing && (this.piezo?.isPlaying ?? false) };
  }

  private silence(): void {
    this.playing = false;
    this.piezo?.off();
  }
}

/** A relay module; `on` powers the load whether the contact is normally open or closed. */
export class RelayDevice extends Device<ComponentOf<'relay'>, RelayCommand> {
  readonly actuator = true;
  private relay: five.Relay | undefined;
  private on = false;

  constructor(config: ComponentOf<'relay'>, ctx: DeviceContext) {
    super(config, ctx, relayCommand);
  }

  protected build({ board }: Hardware): void {
    this.relay = new five.Relay({ pin: this.ctx.pin(this.config.pin), type: this.config.contact, board });
    this.show();
  }

  protected teardown(): void {
    this.relay = undefined;
  }

  protected apply(command: RelayCommand): Record<string, unknown> {
    this.on = command.action === 'toggle' ? !this.on : command.action === 'on';
    this.show();
    return { on: this.on };
  }

  override safeStop(): void {
    this.on = false;
    this.show();
  }

  value(): { on: boolean } {
    return { on: this.on };
  }

  private show(): void {
    // Johnny-Five: close() lets current through, open() cuts it, for NO and NC alike.
    if (this.on) this.relay?.close();
    else this.relay?.open();
  }
}
