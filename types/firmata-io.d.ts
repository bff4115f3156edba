// firmata-io ships no types: the part of its API that STEMLab uses.
declare module 'firmata-io' {
  import type { EventEmitter } from 'node:events';

  export interface FirmataPin {
    supportedModes: number[];
    analogChannel: number;
    mode?: number;
    value?: number;
    report?: number;
  }

  export interface FirmataOptions {
    reportVersionTimeout?: number;
    samplingInterval?: number;
    skipCapabilities?: boolean;
  }

  export class Firmata extends EventEmitter {
    constructor(transport: unknown, options?: FirmataOptions, callback?: (err?: Error) => void);
    isReady: boolean;
    transport: unknown;
    pins: FirmataPin[];
    analogPins: number[];
    firmware: { name: string; version: { major: number; minor: number } };
    version: { major: number; minor: number };
    MODES: Record<string, number>;
    HIGH: 1;
    LOW: 0;
    pinMode(pin: number, mode: number): void;
    digitalWrite(pin: number, value: number): void;
    analogWrite(pin: number, value: number): void;
    servoWrite(pin: number, value: number): void;
    setSamplingInterval(ms: number): void;
    reset(): void;
  }

  const bindTransport: ((transport: unknown) => typeof Firmata) & { Firmata: typeof Firmata };
  export default bindTransport;
}
