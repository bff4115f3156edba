import { EventEmitter } from 'node:events';
import {
  analogChannelOf,
  boards,
  defaultFirmware,
  firmwareName,
  isDigitalPin,
  PinMode,
  pinCapabilities,
  type BoardKind,
  type BoardProfile,
  type FirmwareOptions,
} from '@stemlab/protocol';
import {
  ANALOG_MAPPING_QUERY,
  ANALOG_MAPPING_RESPONSE,
  ANALOG_MESSAGE,
  CAPABILITY_QUERY,
  CAPABILITY_RESPONSE,
  DEFAULT_SAMPLING_INTERVAL_MS,
  DIGITAL_MESSAGE,
  END_SYSEX,
  EXTENDED_ANALOG,
  MINIMUM_SAMPLING_INTERVAL_MS,
  PIN_STATE_QUERY,
  PIN_STATE_RESPONSE,
  PING_READ,
  REPORT_FIRMWARE,
  REPORT_VERSION,
  SAMPLING_INTERVAL,
  SERIAL_TX_BUFFER,
  SERVO_CONFIG,
  START_SYSEX,
  STRING_DATA,
  to7bit,
} from './constants.ts';
import { FirmataParser, type HostMessage } from './parser.ts';

/** Where the board's serial output goes: the simulated USB link. */
export interface SerialLink {
  send(bytes: Buffer): void;
  /** Bytes written but not yet on the wire (only non-zero when the link holds the baud rate). */
  backlog(): number;
}

export interface PinState {
  pin: number;
  mode: number;
  /** What the host set: 0/1 for outputs, the duty cycle for PWM, the angle or µs for a servo. */
  value: number;
}

export interface ServoRange {
  minPulse: number;
  maxPulse: number;
}

export interface SimulatedBoardOptions {
  board: BoardKind;
  firmware?: Partial<FirmwareOptions>;
  /** Delay between the port opening and the board announcing itself (a real Uno's bootloader takes ~1.6 s). */
  bootDelayMs?: number;
}

export interface SimulatedBoardEvents {
  /** The host changed a pin's mode or output value. */
  pin: [state: PinState, previous: PinState];
  /** The board (re)started its firmware. */
  reset: [];
  /** The board lost power (its USB cable was pulled): every pin is back to its power-on state. */
  'power-off': [];
  /** The host sent something the firmware ignores or refuses; for tests of malformed input. */
  ignored: [reason: string];
}

/**
 * An Arduino running StandardFirmata (and optionally PingFirmata's PING_READ), as seen from
 * its USB serial port. It holds what the host wrote to each pin, lets a test drive the inputs
 * (a voltage, a button, an echo distance), and behaves as the firmware does, byte for byte,
 * where the reference recordings in simulators/test/fixtures/firmata/ say what the firmware does.
 */
export class SimulatedBoard extends EventEmitter<SimulatedBoardEvents> {
  readonly profile: BoardProfile;
  readonly firmware: FirmwareOptions;
  private readonly bootDelayMs: number;
  private readonly parser = new FirmataParser((message) => this.handle(message));
  private link: SerialLink | undefined;
  private stalled = false;
  private bootTimer: NodeJS.Timeout | undefined;
  private samplingTimer: NodeJS.Timeout | undefined;
  private readonly pingTimers = new Set<NodeJS.Timeout>();

  // Firmware state, reset by SYSTEM_RESET and at boot.
  private modes: number[] = [];
  private values: number[] = [];
  private servoRanges = new Map<number, ServoRange>();
  private reportedPorts = new Set<number>();
  private reportedChannels = new Set<number>();
  private lastPortReport = new Map<number, number>();
  private samplingIntervalMs = DEFAULT_SAMPLING_INTERVAL_MS;

  // The world outside the board, which survives resets.
  private readonly inputLevels = new Map<number, 0 | 1>();
  private readonly analogInputs: number[];
  private readonly echoCm = new Map<number, number | null>();
  // Inputs read from a live source when the firmware samples them (a simulated robot's sensors).
  private readonly analogSources = new Map<number, () => number>();
  private readonly echoSources = new Map<number, () => number | null>();

  constructor(options: SimulatedBoardOptions) {
    super();
    this.profile = boards[options.board];
    this.firmware = { ...defaultFirmware, ...options.firmware };
    this.bootDelayMs = options.bootDelayMs ?? 0;
    this.analogInputs = new Array<number>(this.profile.analogChannels).fill(0);
    this.systemReset();
  }

  // ---- the serial side -------------------------------------------------------------------

  /** The port opened: as a real board does on DTR, reset and announce the firmware. */
  connect(link: SerialLink): void {
    this.disconnect();
    this.link = link;
    this.stalled = false;
    this.bootTimer = setTimeout(() => this.boot(), this.bootDelayMs);
  }

  /** The port closed or the cable was pulled: the board loses power or its host. */
  disconnect(): void {
    this.link = undefined;
    this.stopTimers();
  }

  /** The USB cable was pulled: the board loses power, and with it every pin's state. */
  powerOff(): void {
    this.disconnect();
    this.parser.reset();
    this.systemReset();
    this.emit('power-off');
  }

  /** Bytes from the host. */
  receive(bytes: Uint8Array): void {
    if (this.stalled || this.bootTimer) return; // a hung or booting board reads nothing
    this.parser.write(bytes);
  }

  // ---- faults ----------------------------------------------------------------------------

  /** The firmware hangs: it stops reading and sending until the next reset (a re-open of the port). */
  stall(): void {
    this.stalled = true;
    this.stopTimers();
  }

  get isStalled(): boolean {
    return this.stalled;
  }

  /** Noise on the line: bytes the host did not ask for. */
  sendGarbage(bytes: Uint8Array = randomGarbage(32)): void {
    this.send(Array.from(bytes));
  }

  // ---- what the host did -----------------------------------------------------------------

  pinState(pin: number): PinState {
    return { pin, mode: this.modes[pin] ?? PinMode.INPUT, value: this.values[pin] ?? 0 };
  }

  /**
   * Resolve when pin `pin` satisfies `test` (at once if it already does); for tests and
   * simulations that wait on what the host does instead of sleeping.
   */
  waitForPin(pin: number, test: (state: PinState) => boolean, timeoutMs = 3000): Promise<PinState> {
    if (test(this.pinState(pin))) return Promise.resolve(this.pinState(pin));
    return new Promise((resolve, reject) => {
      const listener = (state: PinState) => {
        if (state.pin !== pin || !test(state)) return;
        clearTimeout(timer);
        this.off('pin', listener);
        resolve(state);
      };
      const timer = setTimeout(() => {
        this.off('pin', listener);
        reject(new Error(`${this.profile.title} pin ${pin}: still ${JSON.stringify(this.pinState(pin))} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('pin', listener);
    });
  }

  /** The servo pulse range the host configured (SERVO_CONFIG), if any. */
  servoRange(pin: number): ServoRange | undefined {
    return this.servoRanges.get(pin);
  }

  /**
   * A servo's angle in degrees, as the Servo library reads what the host wrote: values under
   * 544 are degrees, larger ones a pulse width in µs, mapped over the configured pulse range.
   */
  servoAngle(pin: number): number | undefined {
    if (this.modes[pin] !== PinMode.SERVO) return undefined;
    const value = this.values[pin] ?? 0;
    if (value < 544) return value;
    const { minPulse, maxPulse } = this.servoRanges.get(pin) ?? { minPulse: 544, maxPulse: 2400 };
    const clamped = Math.min(Math.max(value, minPulse), maxPulse);
    return Math.round(((clamped - minPulse) / (maxPulse - minPulse)) * 180);
  }

  get samplingInterval(): number {
    return this.samplingIntervalMs;
  }

  isReporting(pin: number): boolean {
    const channel = analogChannelOf(this.profile, pin);
    if (channel !== undefined && this.modes[pin] === PinMode.ANALOG) return this.reportedChannels.has(channel);
    return this.reportedPorts.has(pin >> 3);
  }

  // ---- the world: drive the inputs -------------------------------------------------------

  /** Set the voltage (0–5 V) on an analog pin, by channel number (0 = A0) or "A0". */
  setVoltage(channel: number | string, volts: number): void {
    this.setAnalog(channel, Math.round((Math.min(Math.max(volts, 0), 5) / 5) * 1023));
  }

  /** Set the raw 10-bit reading (0–1023) of an analog pin. */
  setAnalog(channel: number | string, raw: number): void {
    const index = typeof channel === 'string' ? Number(/^A?(\d+)$/i.exec(channel)?.[1] ?? NaN) : channel;
    if (!(index >= 0 && index < this.profile.analogChannels)) {
      throw new RangeError(`${this.profile.title} has no analog channel ${String(channel)}`);
    }
    this.analogInputs[index] = Math.min(Math.max(Math.round(raw), 0), 1023);
  }

  /**
   * Read an analog channel from `source` (a raw 0–1023 reading) whenever the firmware samples it,
   * instead of a value set beforehand; `undefined` removes the source.
   */
  setAnalogSource(channel: number, source: (() => number) | undefined): void {
    if (!(channel >= 0 && channel < this.profile.analogChannels)) throw new RangeError(`${this.profile.title} has no analog channel ${channel}`);
    if (source) this.analogSources.set(channel, source);
    else this.analogSources.delete(channel);
  }

  /** What an HC-SR04 on this pin sees, asked at each PING_READ (cm, or null: no echo); `undefined` removes the source. */
  setEchoSource(pin: number, source: (() => number | null) | undefined): void {
    this.assertPin(pin);
    if (source) this.echoSources.set(pin, source);
    else this.echoSources.delete(pin);
  }

  /** Drive a digital pin's input level from outside (a switch, a sensor output). */
  setDigital(pin: number, level: 0 | 1): void {
    this.assertPin(pin);
    this.inputLevels.set(pin, level);
    this.checkDigitalInputs();
  }

  /** Let a pin float again: it reads its pull-up (1) or 0. */
  releaseDigital(pin: number): void {
    this.inputLevels.delete(pin);
    this.checkDigitalInputs();
  }

  /**
   * Press a push button on a pin. Wired as the host configured it: to ground with INPUT_PULLUP
   * (pressed reads 0), to 5 V with a pull-down otherwise (pressed reads 1).
   */
  press(pin: number): void {
    this.setDigital(pin, this.isPulledUp(pin) ? 0 : 1);
  }

  release(pin: number): void {
    this.setDigital(pin, this.isPulledUp(pin) ? 1 : 0);
  }

  /** INPUT_PULLUP, or the classic way: INPUT with a HIGH written to it. */
  isPulledUp(pin: number): boolean {
    return this.modes[pin] === PinMode.PULLUP || (this.modes[pin] === PinMode.INPUT && this.values[pin] === 1);
  }

  /** What an HC-SR04 on this pin sees: a distance in cm, or null for no echo (nothing in range). */
  setEchoDistance(pin: number, cm: number | null): void {
    this.assertPin(pin);
    this.echoCm.set(pin, cm);
  }

  /** The level the firmware reads on a digital pin. */
  readDigital(pin: number): 0 | 1 {
    const driven = this.inputLevels.get(pin);
    if (driven !== undefined) return driven;
    return this.isPulledUp(pin) ? 1 : 0;
  }

  // ---- firmware --------------------------------------------------------------------------

  private boot(): void {
    this.bootTimer = undefined;
    this.parser.reset();
    this.systemReset();
    this.emit('reset');
    // What StandardFirmata's setup() sends: REPORT_VERSION, then the firmware name.
    this.send([REPORT_VERSION, ...this.firmware.version]);
    this.sendFirmware();
  }

  private systemReset(): void {
    this.stopSampling();
    this.modes = [];
    this.values = [];
    this.servoRanges = new Map();
    this.reportedPorts = new Set();
    this.reportedChannels = new Set();
    this.lastPortReport = new Map();
    this.samplingIntervalMs = DEFAULT_SAMPLING_INTERVAL_MS;
    for (let pin = 0; pin < this.profile.pinCount; pin++) {
      this.values[pin] = 0;
      if (!isDigitalPin(this.profile, pin)) this.modes[pin] = PinMode.INPUT;
      else this.modes[pin] = analogChannelOf(this.profile, pin) !== undefined ? PinMode.ANALOG : PinMode.OUTPUT;
    }
    if (this.link) this.startSampling();
  }

  private handle(message: HostMessage): void {
    switch (message.type) {
      case 'report-version':
        this.send([REPORT_VERSION, ...this.firmware.version]);
        break;
      case 'system-reset':
        this.systemReset();
        break;
      case 'pin-mode':
        this.setPinMode(message.pin, message.mode);
        break;
      case 'digital-port':
        this.writePort(message.port, message.value);
        break;
      case 'digital-pin':
        this.writeDigitalPin(message.pin, message.value);
        break;
      case 'analog':
        this.analogWrite(message.pin, message.value);
        break;
      case 'report-analog':
        this.reportAnalog(message.channel, message.enable);
        break;
      case 'report-digital':
        this.reportDigital(message.port, message.enable);
        break;
      case 'sysex':
        this.handleSysex(message.command, message.data);
        break;
    }
  }

  private handleSysex(command: number, data: number[]): void {
    switch (command) {
      case REPORT_FIRMWARE:
        this.sendFirmware();
        break;
      case CAPABILITY_QUERY:
        this.send([START_SYSEX, CAPABILITY_RESPONSE, ...this.capabilityBytes(), END_SYSEX]);
        break;
      case ANALOG_MAPPING_QUERY:
        this.send([START_SYSEX, ANALOG_MAPPING_RESPONSE, ...this.analogMappingBytes(), END_SYSEX]);
        break;
      case PIN_STATE_QUERY:
        this.sendPinState(data[0]);
        break;
      case SAMPLING_INTERVAL:
        this.setSamplingInterval(data);
        break;
      case SERVO_CONFIG:
        this.servoConfig(data);
        break;
      case EXTENDED_ANALOG:
        this.extendedAnalog(data);
        break;
      case PING_READ:
        if (this.firmware.ping) this.pingRead(data);
        else this.ignore('PING_READ needs PingFirmata');
        break;
      case STRING_DATA:
        break;
      default:
        this.ignore(`sysex 0x${command.toString(16)} is not supported by ${firmwareName(this.firmware)}`);
    }
  }

  private setPinMode(pin: number, mode: number): void {
    if (pin >= this.profile.pinCount) return this.ignore(`pin ${pin} does not exist`);
    const supported = pinCapabilities(this.profile, pin, this.firmware).some(([m]) => m === mode);
    if (!supported) {
      // StandardFirmata answers an unknown mode with a string and leaves the pin alone.
      this.sendString('Unknown pin mode');
      return this.ignore(`mode 0x${mode.toString(16)} is not supported on pin ${pin}`);
    }
    const channel = analogChannelOf(this.profile, pin);
    // Choosing a mode switches the pin's analog reporting on (ANALOG) or off (anything else).
    if (channel !== undefined) this.reportAnalog(channel, mode === PinMode.ANALOG, false);
    const previousValue = this.values[pin] ?? 0;
    const value = mode === PinMode.OUTPUT && this.modes[pin] !== PinMode.PWM ? previousValue : 0;
    this.update(pin, mode, mode === PinMode.INPUT || mode === PinMode.PULLUP || mode === PinMode.ANALOG ? 0 : value);
    this.checkDigitalInputs();
  }

  private writePort(port: number, mask: number): void {
    for (let bit = 0; bit < 8; bit++) {
      const pin = port * 8 + bit;
      if (pin >= this.profile.pinCount || !isDigitalPin(this.profile, pin)) continue;
      const mode = this.modes[pin];
      // Only OUTPUT and INPUT pins take a digital write; on an INPUT pin it switches the pull-up.
      if (mode === PinMode.OUTPUT || mode === PinMode.INPUT) this.update(pin, mode, (mask >> bit) & 1);
    }
    this.checkDigitalInputs();
  }

  private writeDigitalPin(pin: number, value: number): void {
    if (!isDigitalPin(this.profile, pin)) return this.ignore(`pin ${pin} cannot be written`);
    const mode = this.modes[pin];
    if (mode === PinMode.OUTPUT || mode === PinMode.INPUT) this.update(pin, mode, value ? 1 : 0);
    this.checkDigitalInputs();
  }

  private analogWrite(pin: number, value: number): void {
    const mode = this.modes[pin];
    // The firmware keeps the value as written (its pin state), whatever the timer makes of it.
    if (mode === PinMode.PWM || mode === PinMode.SERVO) this.update(pin, mode, value);
    else this.ignore(`analog write to pin ${pin}, which is not in PWM or servo mode`);
  }

  private extendedAnalog(data: number[]): void {
    const [pin, ...bytes] = data;
    if (pin === undefined || bytes.length === 0) return this.ignore('truncated EXTENDED_ANALOG');
    const value = bytes.reduce((acc, byte, i) => acc | ((byte & 0x7f) << (7 * i)), 0);
    this.analogWrite(pin, value);
  }

  private servoConfig(data: number[]): void {
    if (data.length < 5) return this.ignore('truncated SERVO_CONFIG');
    const [pin, minLsb, minMsb, maxLsb, maxMsb] = data as [number, number, number, number, number];
    if (!pinCapabilities(this.profile, pin, this.firmware).some(([m]) => m === PinMode.SERVO)) {
      return this.ignore(`pin ${pin} cannot drive a servo`);
    }
    this.servoRanges.set(pin, { minPulse: minLsb | (minMsb << 7), maxPulse: maxLsb | (maxMsb << 7) });
    this.update(pin, PinMode.SERVO, 0);
  }

  private reportAnalog(channel: number, enable: boolean, sendNow = true): void {
    if (channel >= this.profile.analogChannels) return;
    if (!enable) {
      this.reportedChannels.delete(channel);
      return;
    }
    this.reportedChannels.add(channel);
    // Since 2.4 the firmware sends the channel's value at once instead of waiting a sample.
    if (sendNow) this.sendAnalog(channel);
  }

  private reportDigital(port: number, enable: boolean): void {
    if (port * 8 >= this.profile.pinCount) return;
    if (!enable) {
      this.reportedPorts.delete(port);
      return;
    }
    this.reportedPorts.add(port);
    this.sendPort(port);
  }

  private setSamplingInterval(data: number[]): void {
    if (data.length < 2) return this.ignore('truncated SAMPLING_INTERVAL');
    const requested = (data[0] ?? 0) | ((data[1] ?? 0) << 7);
    this.samplingIntervalMs = Math.max(requested, MINIMUM_SAMPLING_INTERVAL_MS);
    this.stopSampling();
    this.startSampling();
  }

  private pingRead(data: number[]): void {
    const pin = data[0];
    if (pin === undefined || !isDigitalPin(this.profile, pin)) return this.ignore('PING_READ on no pin');
    const source = this.echoSources.get(pin);
    const cm = source ? source() : (this.echoCm.get(pin) ?? null);
    // Sound travels 1 cm and back in 58.2 µs: the HC-SR04's echo pulse width for a distance.
    const micros = cm === null ? 0 : Math.round(cm * 58.2);
    const timeoutMicros = data.length >= 18 ? decode32(data.slice(10, 18)) : 1_000_000;
    const waitMs = Math.ceil((cm === null ? timeoutMicros : micros) / 1000);
    const timer = setTimeout(() => {
      this.pingTimers.delete(timer);
      const duration = [(micros >>> 24) & 0xff, (micros >>> 16) & 0xff, (micros >>> 8) & 0xff, micros & 0xff];
      this.send([START_SYSEX, PING_READ, ...to7bit(pin), ...duration.flatMap(to7bit), END_SYSEX]);
    }, waitMs);
    this.pingTimers.add(timer);
  }

  // ---- output ----------------------------------------------------------------------------

  private checkDigitalInputs(): void {
    for (const port of this.reportedPorts) this.sendPort(port, false);
  }

  private sendPort(port: number, force = true): void {
    let value = 0;
    for (let bit = 0; bit < 8; bit++) {
      const pin = port * 8 + bit;
      const mode = this.modes[pin];
      if (mode === PinMode.INPUT || mode === PinMode.PULLUP) value |= this.readDigital(pin) << bit;
    }
    if (!force && this.lastPortReport.get(port) === value) return;
    this.lastPortReport.set(port, value);
    this.send([DIGITAL_MESSAGE | port, ...to7bit(value)]);
  }

  private sendAnalog(channel: number): void {
    const source = this.analogSources.get(channel);
    const raw = source ? Math.min(Math.max(Math.round(source()), 0), 1023) : (this.analogInputs[channel] ?? 0);
    this.send([ANALOG_MESSAGE | channel, ...to7bit(raw)]);
  }

  private sample(): void {
    // A full transmit buffer blocks the sketch inside Serial.write: at the wire rate the
    // firmware cannot sample faster than the link drains.
    if (this.link && this.link.backlog() > SERIAL_TX_BUFFER) return;
    for (const channel of this.reportedChannels) {
      const pin = this.profile.firstAnalogPin + channel;
      if (this.modes[pin] === PinMode.ANALOG) this.sendAnalog(channel);
    }
  }

  private sendFirmware(): void {
    const name = [...firmwareName(this.firmware)].flatMap((c) => to7bit(c.charCodeAt(0)));
    this.send([START_SYSEX, REPORT_FIRMWARE, ...this.firmware.version, ...name, END_SYSEX]);
  }

  private sendPinState(pin: number | undefined): void {
    if (pin === undefined || pin >= this.profile.pinCount) return this.ignore('PIN_STATE_QUERY for no pin');
    const { mode, value } = this.pinState(pin);
    const state: number[] = [];
    let rest = value;
    do {
      state.push(rest & 0x7f);
      rest >>= 7;
    } while (rest > 0);
    this.send([START_SYSEX, PIN_STATE_RESPONSE, pin, mode, ...state, END_SYSEX]);
  }

  private sendString(text: string): void {
    this.send([START_SYSEX, STRING_DATA, ...[...text].flatMap((c) => to7bit(c.charCodeAt(0))), END_SYSEX]);
  }

  private capabilityBytes(): number[] {
    const bytes: number[] = [];
    for (let pin = 0; pin < this.profile.pinCount; pin++) {
      for (const [mode, resolution] of pinCapabilities(this.profile, pin, this.firmware)) bytes.push(mode, resolution);
      bytes.push(0x7f);
    }
    return bytes;
  }

  private analogMappingBytes(): number[] {
    const bytes: number[] = [];
    for (let pin = 0; pin < this.profile.pinCount; pin++) bytes.push(analogChannelOf(this.profile, pin) ?? 0x7f);
    return bytes;
  }

  private send(bytes: number[]): void {
    if (this.stalled) return;
    this.link?.send(Buffer.from(bytes));
  }

  private update(pin: number, mode: number, value: number): void {
    const previous = this.pinState(pin);
    this.modes[pin] = mode;
    this.values[pin] = value;
    if (previous.mode !== mode || previous.value !== value) this.emit('pin', this.pinState(pin), previous);
  }

  private ignore(reason: string): void {
    this.emit('ignored', reason);
  }

  private assertPin(pin: number): void {
    if (!isDigitalPin(this.profile, pin)) throw new RangeError(`${this.profile.title} has no usable pin ${pin}`);
  }

  private startSampling(): void {
    this.samplingTimer = setInterval(() => this.sample(), this.samplingIntervalMs);
  }

  private stopSampling(): void {
    clearInterval(this.samplingTimer);
    this.samplingTimer = undefined;
  }

  private stopTimers(): void {
    clearTimeout(this.bootTimer);
    this.bootTimer = undefined;
    this.stopSampling();
    for (const timer of this.pingTimers) clearTimeout(timer);
    this.pingTimers.clear();
  }
}

function decode32(pairs: number[]): number {
  let value = 0;
  for (let i = 0; i < 4; i++) value = value * 256 + (((pairs[2 * i] ?? 0) & 0x7f) | (((pairs[2 * i + 1] ?? 0) & 0x7f) << 7));
  return value;
}

function randomGarbage(length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(Math.random() * 256));
}
