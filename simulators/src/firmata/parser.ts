import {
  ANALOG_MESSAGE,
  DIGITAL_MESSAGE,
  END_SYSEX,
  MAX_DATA_BYTES,
  REPORT_ANALOG,
  REPORT_DIGITAL,
  REPORT_VERSION,
  SET_DIGITAL_PIN_VALUE,
  SET_PIN_MODE,
  START_SYSEX,
  SYSTEM_RESET,
} from './constants.ts';

/** A complete message from the host, as the firmware's parser hands it to its callbacks. */
export type HostMessage =
  | { type: 'analog'; pin: number; value: number }
  | { type: 'digital-port'; port: number; value: number }
  | { type: 'report-analog'; channel: number; enable: boolean }
  | { type: 'report-digital'; port: number; enable: boolean }
  | { type: 'pin-mode'; pin: number; mode: number }
  | { type: 'digital-pin'; pin: number; value: number }
  | { type: 'report-version' }
  | { type: 'system-reset' }
  | { type: 'sysex'; command: number; data: number[] };

/**
 * The host-byte parser of StandardFirmata (FirmataParser::parse), step for step, so that the
 * simulated board reacts to malformed and truncated input exactly as the real firmware does:
 * a status byte abandons an unfinished message only if it is a known command; inside a sysex
 * every byte up to END_SYSEX is data; a sysex longer than the firmware's buffer is truncated.
 */
export class FirmataParser {
  private waitForData = 0;
  private command = 0;
  private channel = 0;
  /** Filled from the end, as the firmware does: data[1] is the first data byte. */
  private readonly data = [0, 0];
  private inSysex = false;
  private sysex: number[] = [];

  constructor(private readonly onMessage: (message: HostMessage) => void) {}

  reset(): void {
    this.waitForData = 0;
    this.command = 0;
    this.inSysex = false;
    this.sysex = [];
  }

  write(bytes: Uint8Array): void {
    for (const byte of bytes) this.parseByte(byte);
  }

  private parseByte(byte: number): void {
    if (this.inSysex) {
      if (byte === END_SYSEX) {
        this.inSysex = false;
        const [command, ...data] = this.sysex;
        // An empty sysex (F0 F7) carries no command: the firmware dispatches garbage; we ignore it.
        if (command !== undefined) this.onMessage({ type: 'sysex', command, data });
      } else if (this.sysex.length < MAX_DATA_BYTES) {
        this.sysex.push(byte);
      }
      return;
    }
    if (this.waitForData > 0 && byte < 0x80) {
      this.waitForData--;
      this.data[this.waitForData] = byte;
      if (this.waitForData === 0 && this.command !== 0) {
        this.dispatch();
        this.command = 0;
      }
      return;
    }
    const command = byte < 0xf0 ? byte & 0xf0 : byte;
    if (byte < 0xf0) this.channel = byte & 0x0f;
    switch (command) {
      case ANALOG_MESSAGE:
      case DIGITAL_MESSAGE:
      case SET_PIN_MODE:
      case SET_DIGITAL_PIN_VALUE:
        this.waitForData = 2;
        this.command = command;
        break;
      case REPORT_ANALOG:
      case REPORT_DIGITAL:
        this.waitForData = 1;
        this.command = command;
        break;
      case START_SYSEX:
        this.inSysex = true;
        this.sysex = [];
        break;
      case SYSTEM_RESET:
        this.reset();
        this.onMessage({ type: 'system-reset' });
        break;
      case REPORT_VERSION:
        this.onMessage({ type: 'report-version' });
        break;
      default:
        // Unknown status bytes change nothing, not even an unfinished message: the firmware's way.
        break;
    }
  }

  private dispatch(): void {
    const [second, first] = this.data as [number, number];
    switch (this.command) {
      case ANALOG_MESSAGE:
        this.onMessage({ type: 'analog', pin: this.channel, value: (second << 7) | first });
        break;
      case DIGITAL_MESSAGE:
        this.onMessage({ type: 'digital-port', port: this.channel, value: (second << 7) | first });
        break;
      case SET_PIN_MODE:
        this.onMessage({ type: 'pin-mode', pin: first, mode: second });
        break;
      case SET_DIGITAL_PIN_VALUE:
        this.onMessage({ type: 'digital-pin', pin: first, value: second });
        break;
      case REPORT_ANALOG:
        this.onMessage({ type: 'report-analog', channel: this.channel, enable: second !== 0 });
        break;
      case REPORT_DIGITAL:
        this.onMessage({ type: 'report-digital', port: this.channel, enable: second !== 0 });
        break;
    }
  }
}
