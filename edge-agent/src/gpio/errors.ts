/**
 * Every GPIO failure is a GpioError with a stable code, declared once here with what it means,
 * and a message that says what to do about it.
 */
export const gpioErrorCodes = {
  GPIO_UNAVAILABLE:
    'The Pi has no usable sysfs GPIO: /sys/class/gpio is absent (a kernel without CONFIG_GPIO_SYSFS), no Raspberry Pi header chip is listed there, or onoff could not load.',
  GPIO_NOT_FOUND:
    'The config uses GPIO lines (gpio.estop, gpio.buttons, gpio.leds) but this machine is not a Raspberry Pi with usable GPIO: run the agent on the gateway, remove the gpio lines, or set gpio.sim: true to simulate the header (a laptop, a demo).',
  GPIO_PERMISSION: 'This user may not export GPIO lines: add it to the gpio group (sudo usermod -aG gpio $USER) and log in again.',
  GPIO_BUSY: 'The line is already in use: opened twice by the agent, or held by a kernel driver or another program.',
  GPIO_INVALID: 'The request does not fit the line: a BCM number outside 0–27, a write to an input, a watch on an output, or a closed line.',
} as const;

export type GpioErrorCode = keyof typeof gpioErrorCodes;

export class GpioError extends Error {
  override readonly name = 'GpioError';
  readonly code: GpioErrorCode;

  constructor(code: GpioErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
