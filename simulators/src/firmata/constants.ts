/** Firmata protocol bytes, as StandardFirmata and firmata-io name them. */
export const DIGITAL_MESSAGE = 0x90;
export const ANALOG_MESSAGE = 0xe0;
export const REPORT_ANALOG = 0xc0;
export const REPORT_DIGITAL = 0xd0;
export const SET_PIN_MODE = 0xf4;
export const SET_DIGITAL_PIN_VALUE = 0xf5;
export const REPORT_VERSION = 0xf9;
export const SYSTEM_RESET = 0xff;
export const START_SYSEX = 0xf0;
export const END_SYSEX = 0xf7;

// Sysex commands.
export const EXTENDED_ANALOG = 0x6f;
export const ANALOG_MAPPING_QUERY = 0x69;
export const ANALOG_MAPPING_RESPONSE = 0x6a;
export const CAPABILITY_QUERY = 0x6b;
export const CAPABILITY_RESPONSE = 0x6c;
export const PIN_STATE_QUERY = 0x6d;
export const PIN_STATE_RESPONSE = 0x6e;
export const SERVO_CONFIG = 0x70;
export const STRING_DATA = 0x71;
export const PING_READ = 0x75;
export const REPORT_FIRMWARE = 0x79;
export const SAMPLING_INTERVAL = 0x7a;

/** StandardFirmata's sysex buffer; longer messages are truncated by the firmware. */
export const MAX_DATA_BYTES = 64;
export const DEFAULT_SAMPLING_INTERVAL_MS = 19;
export const MINIMUM_SAMPLING_INTERVAL_MS = 1;
/** Arduino's hardware serial transmit buffer: when it is full, Serial.write blocks the sketch. */
export const SERIAL_TX_BUFFER = 64;

/** Split a value into Firmata's 7-bit little-endian pair. */
export function to7bit(value: number): [number, number] {
  return [value & 0x7f, (value >> 7) & 0x7f];
}
