/**
 * The Arduino boards STEMLab kits use, as StandardFirmata describes them: which pins exist and
 * which modes each supports. Both the simulated board (to answer CAPABILITY_QUERY byte for byte
 * as the real firmware does, see simulators/test/fixtures/firmata/) and the agent's config
 * validation (a PWM motor on a non-PWM pin is refused before anything starts) read this table.
 */

/** Firmata pin modes (the numbers are the protocol's). */
export const PinMode = {
  INPUT: 0x00,
  OUTPUT: 0x01,
  ANALOG: 0x02,
  PWM: 0x03,
  SERVO: 0x04,
  I2C: 0x06,
  PULLUP: 0x0b,
  PING_READ: 0x75,
} as const;
export type PinModeName = keyof typeof PinMode;
export type PinModeValue = (typeof PinMode)[PinModeName];

export const boardKinds = ['uno', 'mega'] as const;
export type BoardKind = (typeof boardKinds)[number];

/** One pin's capabilities as StandardFirmata reports them: [mode, resolution in bits] in report order. */
export type PinCapability = ReadonlyArray<readonly [PinModeValue, number]>;

export interface BoardProfile {
  kind: BoardKind;
  /** The name people know it by. */
  title: string;
  /** MCU that simavr emulates for the real firmware. */
  mcu: 'atmega328p' | 'atmega2560';
  pinCount: number;
  /** Digital pin number of analog channel 0; channels follow consecutively. */
  firstAnalogPin: number;
  analogChannels: number;
  pwmPins: readonly number[];
  servoPins: readonly number[];
  i2cPins: readonly number[];
  /** Pins that StandardFirmata cannot use (the USB serial link on 0 and 1). */
  reservedPins: readonly number[];
  /** USB ids an official board enumerates with. */
  usb: { vendorId: string; productId: string; manufacturer: string };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export const boards: Record<BoardKind, BoardProfile> = {
  uno: {
    kind: 'uno',
    title: 'Arduino Uno',
    mcu: 'atmega328p',
    pinCount: 20,
    firstAnalogPin: 14,
    analogChannels: 6,
    pwmPins: [3, 5, 6, 9, 10, 11],
    servoPins: range(2, 19),
    i2cPins: [18, 19],
    reservedPins: [0, 1],
    usb: { vendorId: '2341', productId: '0043', manufacturer: 'Arduino (www.arduino.cc)' },
  },
  mega: {
    kind: 'mega',
    title: 'Arduino Mega 2560',
    mcu: 'atmega2560',
    pinCount: 70,
    firstAnalogPin: 54,
    analogChannels: 16,
    pwmPins: [...range(2, 13), 44, 45, 46],
    // The Servo library drives at most 48 servos, on pins 2..49.
    servoPins: range(2, 49),
    i2cPins: [20, 21],
    reservedPins: [0, 1],
    usb: { vendorId: '2341', productId: '0042', manufacturer: 'Arduino (www.arduino.cc)' },
  },
};

/** Which Firmata sketch the board runs; it decides what the board can do beyond the pin map. */
export interface FirmwareOptions {
  /** Protocol version the firmware announces. 2.3 and 2.4 do not offer INPUT_PULLUP; 2.5 does. */
  version: readonly [major: number, minor: number];
  /** PingFirmata adds PING_READ on every digital pin (for the HC-SR04 ultrasonic sensor). */
  ping: boolean;
}

export const defaultFirmware: FirmwareOptions = { version: [2, 5], ping: false };

export function firmwareName(firmware: FirmwareOptions): string {
  return firmware.ping ? 'PingFirmata.ino' : 'StandardFirmata.ino';
}

export function analogChannelOf(profile: BoardProfile, pin: number): number | undefined {
  const channel = pin - profile.firstAnalogPin;
  return channel >= 0 && channel < profile.analogChannels ? channel : undefined;
}

export function isDigitalPin(profile: BoardProfile, pin: number): boolean {
  return Number.isInteger(pin) && pin >= 0 && pin < profile.pinCount && !profile.reservedPins.includes(pin);
}

/**
 * A pin's capabilities in the order StandardFirmata writes them in its CAPABILITY_RESPONSE:
 * input, (pullup), output, analog, PWM, servo, I2C, (PING_READ).
 */
export function pinCapabilities(profile: BoardProfile, pin: number, firmware: FirmwareOptions = defaultFirmware): PinCapability {
  if (!isDigitalPin(profile, pin)) return [];
  const caps: Array<readonly [PinModeValue, number]> = [[PinMode.INPUT, 1]];
  const hasPullup = firmware.version[0] > 2 || (firmware.version[0] === 2 && firmware.version[1] >= 5);
  if (hasPullup) caps.push([PinMode.PULLUP, 1]);
  caps.push([PinMode.OUTPUT, 1]);
  if (analogChannelOf(profile, pin) !== undefined) caps.push([PinMode.ANALOG, 10]);
  if (profile.pwmPins.includes(pin)) caps.push([PinMode.PWM, 8]);
  if (profile.servoPins.includes(pin)) caps.push([PinMode.SERVO, 14]);
  if (profile.i2cPins.includes(pin)) caps.push([PinMode.I2C, 1]);
  if (firmware.ping) caps.push([PinMode.PING_READ, 1]);
  return caps;
}

export function supportsMode(profile: BoardProfile, pin: number, mode: PinModeValue, firmware: FirmwareOptions = defaultFirmware): boolean {
  return pinCapabilities(profile, pin, firmware).some(([m]) => m === mode);
}

/** "A0" → 14 on an Uno; a number stays a number. Undefined when the board has no such pin. */
export function resolvePin(profile: BoardProfile, pin: number | string): number | undefined {
  if (typeof pin === 'number') return isDigitalPin(profile, pin) ? pin : undefined;
  const analog = /^A(\d+)$/i.exec(pin.trim());
  if (analog) {
    const channel = Number(analog[1]);
    return channel < profile.analogChannels ? profile.firstAnalogPin + channel : undefined;
  }
  if (/^\d+$/.test(pin.trim())) return resolvePin(profile, Number(pin));
  return undefined;
}
