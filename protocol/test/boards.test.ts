// The board table, as StandardFirmata describes the boards (the simulated board answers from it;
// simulators/test/firmata-protocol.test.ts holds that answer to the real firmware's bytes).
import { describe, expect, it } from 'vitest';
import { analogChannelOf, boards, firmwareName, isDigitalPin, PinMode, pinCapabilities, resolvePin, supportsMode } from '../src/index.ts';

const { uno, mega } = boards;

describe('boards', () => {
  it('names pins as people write them', () => {
    expect(resolvePin(uno, 'A0')).toBe(14);
    expect(resolvePin(uno, 'a5')).toBe(19);
    expect(resolvePin(uno, 'A6')).toBeUndefined();
    expect(resolvePin(mega, 'A15')).toBe(69);
    expect(resolvePin(uno, '9')).toBe(9);
    expect(resolvePin(uno, 9)).toBe(9);
    expect(resolvePin(uno, 0)).toBeUndefined(); // the USB serial link
    expect(resolvePin(uno, 20)).toBeUndefined();
    expect(resolvePin(uno, 'D9')).toBeUndefined();
  });

  it('knows the analog channels and the digital pins', () => {
    expect(analogChannelOf(uno, 14)).toBe(0);
    expect(analogChannelOf(uno, 13)).toBeUndefined();
    expect(analogChannelOf(mega, 69)).toBe(15);
    expect(isDigitalPin(uno, 1)).toBe(false);
    expect(isDigitalPin(uno, 2)).toBe(true);
    expect(isDigitalPin(uno, 2.5)).toBe(false);
  });

  it('lists each pin\'s capabilities in the firmware\'s order', () => {
    // Uno pin 3 on StandardFirmata 2.4: input, output, PWM (8 bit), servo (14 bit)
    expect(pinCapabilities(uno, 3, { version: [2, 4], ping: false })).toEqual([
      [PinMode.INPUT, 1],
      [PinMode.OUTPUT, 1],
      [PinMode.PWM, 8],
      [PinMode.SERVO, 14],
    ]);
    // 2.5 adds INPUT_PULLUP; A4 is analog and I2C; PingFirmata adds PING_READ everywhere
    expect(pinCapabilities(uno, 18, { version: [2, 5], ping: true })).toEqual([
      [PinMode.INPUT, 1],
      [PinMode.PULLUP, 1],
      [PinMode.OUTPUT, 1],
      [PinMode.ANALOG, 10],
      [PinMode.SERVO, 14],
      [PinMode.I2C, 1],
      [PinMode.PING_READ, 1],
    ]);
    expect(pinCapabilities(uno, 0)).toEqual([]);
  });

  it('answers whether a pin can do a mode', () => {
    expect(supportsMode(uno, 9, PinMode.PWM)).toBe(true);
    expect(supportsMode(uno, 8, PinMode.PWM)).toBe(false);
    expect(supportsMode(mega, 44, PinMode.PWM)).toBe(true);
    expect(supportsMode(mega, 50, PinMode.SERVO)).toBe(false);
    expect(supportsMode(uno, 7, PinMode.PING_READ)).toBe(false);
    expect(supportsMode(uno, 7, PinMode.PING_READ, { version: [2, 5], ping: true })).toBe(true);
    expect(firmwareName({ version: [2, 5], ping: true })).toBe('PingFirmata.ino');
  });
});
