import type { ComponentConfig } from '../config/schema.ts';
import { LedDevice, MotorDevice, PiezoDevice, RelayDevice, ServoDevice } from './actuators.ts';
import type { Device, DeviceContext } from './device.ts';
import { AnalogSensorDevice, ButtonDevice, LineSensorsDevice, ProximityDevice, ThermometerDevice } from './sensors.ts';

export { Device, type DeviceContext, type Hardware } from './device.ts';

/** The device for a component of the config. */
export function createDevice(config: ComponentConfig, ctx: DeviceContext): Device {
  switch (config.type) {
    case 'led':
      return new LedDevice(config, ctx);
    case 'servo':
      return new ServoDevice(config, ctx);
    case 'motor':
      return new MotorDevice(config, ctx);
    case 'piezo':
      return new PiezoDevice(config, ctx);
    case 'relay':
      return new RelayDevice(config, ctx);
    case 'button':
      return new ButtonDevice(config, ctx);
    case 'analog-sensor':
      return new AnalogSensorDevice(config, ctx);
    case 'thermometer':
      return new ThermometerDevice(config, ctx);
    case 'proximity':
      return new ProximityDevice(config, ctx);
    case 'line-sensors':
      return new LineSensorsDevice(config, ctx);
  }
}
