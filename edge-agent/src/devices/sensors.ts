import five from 'johnny-five';
import { readCommand, type ReadCommand } from '@stemlab/protocol';
import type { ComponentOf } from '../config/schema.ts';
import { Device, type DeviceContext, type Hardware } from './device.ts';

/** Sensors answer one command, `read`, with their latest value; changes are reported as readings. */
abstract class SensorDevice<C extends ComponentOf<'button' | 'analog-sensor' | 'thermometer' | 'proximity' | 'line-sensors'>, V> extends Device<C, ReadCommand> {
  readonly actuator = false;
  protected latest: V | undefined;

  constructor(config: C, ctx: DeviceContext) {
    super(config, ctx, readCommand);
  }

  protected apply(): Record<string, unknown> {
    return { value: this.latest ?? null };
  }

  value(): V | undefined {
    return this.latest;
  }

  protected report(value: V): void {
    this.latest = value;
    this.ctx.reading(value);
  }
}

export interface ButtonValue {
  pressed: boolean;
  held: boolean;
}

export class ButtonDevice extends SensorDevice<ComponentOf<'button'>, ButtonValue> {
  private button: five.Button | undefined;

  constructor(config: ComponentOf<'button'>, ctx: DeviceContext) {
    super(config, ctx);
    this.latest = { pressed: false, held: false };
  }

  protected build({ board }: Hardware): void {
    const { pin, pullup, invert, holdtime } = this.config;
    // Johnny-Five's `invert` replaces its pull-up inversion; ours swaps relative to the wiring.
    const button = new five.Button({ pin: this.ctx.pin(pin), board, isPullup: pullup, invert: pullup !== invert, holdtime });
    button.on('press', () => this.report({ pressed: true, held: false }));
    button.on('hold', () => this.report({ pressed: true, held: true }));
    button.on('release', () => this.report({ pressed: false, held: false }));
    this.button = button;
  }

  protected teardown(): void {
    (this.button as unknown as NodeJS.EventEmitter | undefined)?.removeAllListeners();
    this.button = undefined;
    this.latest = { pressed: false, held: false };
  }
}

/** Any analog sensor: the raw 0–1023 reading, or mapped onto `scale` when the config has one. */
export class AnalogSensorDevice extends SensorDevice<ComponentOf<'analog-sensor'>, { raw: number; value: number }> {
  private sensor: five.Sensor | undefined;

  constructor(config: ComponentOf<'analog-sensor'>, ctx: DeviceContext) {
    super(config, ctx);
  }

  protected build({ board }: Hardware): void {
    const { pin, freq, threshold, scale } = this.config;
    const sensor = new five.Sensor({ pin: this.ctx.pin(pin), board, freq, threshold });
    const report = () => {
      const raw = sensor.value;
      // Johnny-Five's timer fires before the board's first sample arrives, with no value.
      if (typeof raw !== 'number') return;
      const value = scale ? scale[0] + (raw / 1023) * (scale[1] - scale[0]) : raw;
      this.report({ raw, value: Math.round(value * 1000) / 1000 });
    };
    // The first reading, whatever it is, then every change beyond the threshold (a sensor
    // resting at 0 would otherwise never report).
    onFirstData(sensor, () => typeof sensor.value === 'number', report);
    sensor.on('change', report);
    this.sensor = sensor;
  }

  protected teardown(): void {
    disableSensor(this.sensor);
    this.sensor = undefined;
  }
}

/** 10 mV/°C on a 5 V, 10-bit ADC; the TMP36 reads 500 mV at 0 °C. */
const celsiusOf = {
  LM35: (raw: number) => (raw * 500) / 1023,
  TMP36: (raw: number) => (raw * 500) / 1023 - 50,
} as const;

export class ThermometerDevice extends SensorDevice<ComponentOf<'thermometer'>, { celsius: number }> {
  private thermometer: five.Thermometer | undefined;

  constructor(config: ComponentOf<'thermometer'>, ctx: DeviceContext) {
    super(config, ctx);
  }

  protected build({ board }: Hardware): void {
    const { pin, freq, controller } = this.config;
    // Johnny-Five's LM35 and TMP36 controllers round to whole degrees, coarser than the ADC's
    // 0.49 °C step (a cooling curve turns into stairs); the same datasheet formulas, unrounded.
    const toCelsius = celsiusOf[controller];
    const thermometer = new five.Thermometer({ pin: this.ctx.pin(pin), board, freq, controller: 'ANALOG', toCelsius } as five.ThermometerOption);
    const report = () => {
      if (Number.isFinite(thermometer.celsius)) this.report({ celsius: Math.round(thermometer.celsius * 10) / 10 });
    };
    onFirstData(thermometer, () => Number.isFinite(thermometer.celsius), report);
    thermometer.on('change', report);
    this.thermometer = thermometer;
  }

  protected teardown(): void {
    disableSensor(this.thermometer);
    this.thermometer = undefined;
  }
}

/**
 * An HC-SR04 over PingFirmata. Johnny-Five's Proximity class starts a setInterval it never
 * clears, which would leak on every reconnect, so the agent sends the same PING_READ request
 * through firmata-io on a loop of its own and converts as Johnny-Five does (µs / 29.1 / 2).
 */
export class ProximityDevice extends SensorDevice<ComponentOf<'proximity'>, { cm: number | null }> {
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(config: ComponentOf<'proximity'>, ctx: DeviceContext) {
    super(config, ctx);
  }

  protected build({ io }: Hardware): void {
    const generation = ++this.generation;
    const pin = this.ctx.pin(this.config.pin);
    // The sensor needs ~60 ms between pings for echoes to die down.
    const interval = Math.max(this.config.freq, 60);
    const ping = () => {
      const pingIo = io as unknown as { pingRead(o: object, cb: (micros: number) => void): void };
      pingIo.pingRead({ pin, value: io.HIGH, pulseOut: 5, timeout: 30_000 }, (micros) => {
        if (generation !== this.generation) return;
        const cm = micros > 0 ? Math.round((micros / 29.1 / 2) * 10) / 10 : null;
        if (this.latest === undefined || this.latest.cm !== cm) this.report({ cm });
        this.timer = setTimeout(ping, interval);
      });
    };
    ping();
  }

  protected teardown(): void {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A line-follower array: one value per sensor, left to right (analog 0–1023 or digital 0/1). */
export class LineSensorsDevice extends SensorDevice<ComponentOf<'line-sensors'>, number[]> {
  private sensors: five.Sensor[] = [];

  constructor(config: ComponentOf<'line-sensors'>, ctx: DeviceContext) {
    super(config, ctx);
  }

  protected build({ board }: Hardware): void {
    const values = this.config.pins.map(() => 0);
    this.sensors = this.config.pins.map((p, index) => {
      const pin = this.ctx.pin(p);
      const analog = typeof p === 'string' && /^a/i.test(p);
      const sensor = new five.Sensor({ pin, board, freq: this.config.freq, ...(analog ? {} : { type: 'digital' }) } as five.SensorOption);
      sensor.on('change', () => {
        values[index] = sensor.value;
        this.report([...values]);
      });
      return sensor;
    });
  }

  protected teardown(): void {
    for (const sensor of this.sensors) disableSensor(sensor);
    this.sensors = [];
  }
}

/**
 * Report the first real sample, even when it will never change (a sensor resting at 0 gives no
 * 'change'); Johnny-Five's 'data' timer also fires before any sample has arrived.
 */
function onFirstData(sensor: object, hasValue: () => boolean, report: () => void): void {
  const emitter = sensor as NodeJS.EventEmitter;
  emitter.on('data', function first() {
    if (!hasValue()) return;
    emitter.off('data', first);
    report();
  });
}

/** Stop a Johnny-Five sensor's timer and listeners; it is about to be dropped with its board. */
function disableSensor(sensor: object | undefined): void {
  if (!sensor) return;
  // disable() exists on Johnny-Five's Sensor and Thermometer; its types leave it out.
  (sensor as { disable(): void }).disable();
  (sensor as NodeJS.EventEmitter).removeAllListeners();
}
