export { SimulatedBoard, type PinState, type SimulatedBoardOptions, type SerialLink } from './firmata/device.ts';
export { FirmataParser, type HostMessage } from './firmata/parser.ts';
export { BoardSimulator, SimulatedPort, type SimulatedPortOptions } from './serial/binding.ts';
export { PtyBoard, socatAvailable, type PtyBoardOptions } from './serial/pty.ts';
export { WireLine } from './serial/wire.ts';
export { SimulatedGpio } from './gpio/simulated-gpio.ts';
