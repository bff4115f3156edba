/**
 * What a lab sensor measures, its unit, and the values it can physically take in a school lab.
 * The agent labels readings with the unit; the simulated sensors never leave the bounds (a
 * thermometer in the air of a Vietnamese classroom does not read −50 °C); experiments export
 * the unit with every column.
 */
export const quantities = {
  temperature: { unit: '°C', min: -10, max: 110, vi: 'Nhiệt độ', en: 'Temperature' },
  light: { unit: 'lx', min: 0, max: 2000, vi: 'Ánh sáng', en: 'Light' },
  sound: { unit: 'dB', min: 30, max: 130, vi: 'Mức âm thanh', en: 'Sound level' },
  distance: { unit: 'cm', min: 2, max: 400, vi: 'Khoảng cách', en: 'Distance' },
  voltage: { unit: 'V', min: 0, max: 25, vi: 'Điện áp', en: 'Voltage' },
  ph: { unit: 'pH', min: 0, max: 14, vi: 'Độ pH', en: 'pH' },
  moisture: { unit: '%', min: 0, max: 100, vi: 'Độ ẩm đất', en: 'Soil moisture' },
} as const;

export type Quantity = keyof typeof quantities;
export const quantityNames = Object.keys(quantities) as Quantity[];

/** Keep a value inside what the quantity can physically be. */
export function withinBounds(quantity: Quantity, value: number): number {
  const { min, max } = quantities[quantity];
  return Math.min(Math.max(value, min), max);
}
