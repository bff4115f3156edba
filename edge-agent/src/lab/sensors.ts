import { quantities, type Quantity } from '@stemlab/protocol';
import type { AgentConfig, ComponentConfig } from '../config/schema.ts';

/** A sensor an experiment can record: where it is, what it measures and in which unit. */
export interface LabSensorInfo {
  /** "kit/component", how requests and exports name it. */
  id: string;
  kit: string;
  component: string;
  label: string;
  quantity: Quantity | undefined;
  /** The unit of its values; "raw" (0–1023) for an analog sensor with no quantity or scale. */
  unit: string;
  /** How often the agent reads it (ms): an experiment cannot sample it faster. */
  freqMs: number;
}

/** Every sensor of the config that gives a number: thermometers, analog sensors, HC-SR04s. */
export function labSensors(config: AgentConfig): LabSensorInfo[] {
  return config.kits.flatMap((kit) =>
    kit.components.flatMap((component) => {
      const info = describe(component);
      return info ? [{ id: `${kit.id}/${component.id}`, kit: kit.id, component: component.id, label: component.label ?? component.id, freqMs: info.freqMs, quantity: info.quantity, unit: info.unit }] : [];
    }),
  );
}

function describe(component: ComponentConfig): { quantity: Quantity | undefined; unit: string; freqMs: number } | undefined {
  switch (component.type) {
    case 'thermometer':
      return { quantity: 'temperature', unit: quantities.temperature.unit, freqMs: component.freq };
    case 'proximity':
      // Pinged no faster than every 60 ms, whatever freq says (echoes must die down).
      return { quantity: 'distance', unit: quantities.distance.unit, freqMs: Math.max(component.freq, 60) };
    case 'analog-sensor': {
      const quantity = component.quantity;
      const unit = quantity ? quantities[quantity].unit : component.scale ? '' : 'raw';
      return { quantity, unit, freqMs: component.freq };
    }
    default:
      return undefined;
  }
}

/** The number in a device's latest value (thermometer {celsius}, analog {raw, value}, HC-SR04 {cm}). */
export function numberOf(value: unknown): number | null {
  if (value === null || typeof value !== 'object') return null;
  const v = value as { celsius?: unknown; value?: unknown; cm?: unknown };
  const n = v.celsius ?? v.value ?? v.cm;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}
