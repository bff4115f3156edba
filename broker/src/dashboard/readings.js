// A device's latest value as a person reads it: a number with its unit ("120 cm", "31,5 °C"),
// never raw JSON; and a flag when the value is impossible for the sensor (a −50 °C classroom, a
// distance an HC-SR04 cannot measure), which points at a broken or unplugged sensor.
import { fmtNumber, t } from './i18n.js';

// Known value fields: unit, decimals, and the range the sensor can physically report.
const FIELDS = {
  celsius: { unit: '°C', decimals: 1, min: -20, max: 110 },
  cm: { unit: 'cm', decimals: 0, min: 2, max: 400 },
  humidity: { unit: '%', decimals: 0, min: 0, max: 100 },
  percent: { unit: '%', decimals: 0, min: 0, max: 100 },
  lux: { unit: 'lx', decimals: 0, min: 0, max: 100_000 },
  angle: { unit: '°', decimals: 0, min: 0, max: 180 },
  ph: { unit: 'pH', decimals: 2, min: 0, max: 14 },
  volts: { unit: 'V', decimals: 2, min: -30, max: 30 },
  raw: { unit: '', decimals: 0, min: 0, max: 65_535 },
};

/** { text, outOfRange } for a telemetry value. */
export function readable(value) {
  if (typeof value === 'number') return { text: fmtNumber(value, Number.isInteger(value) ? 0 : 2), outOfRange: false };
  if (typeof value === 'boolean') return { text: t(value ? 'reading.on' : 'reading.off'), outOfRange: false };
  if (typeof value === 'string') return { text: value, outOfRange: false };
  if (value === null || typeof value !== 'object') return { text: '—', outOfRange: false };
  let outOfRange = false;
  const parts = [];
  // An analog pin's {raw, value}: the scaled value is what matters; raw only when alone.
  const entries = Object.entries(value).filter(([k]) => !(k === 'raw' && 'value' in value));
  for (const [key, v] of entries) {
    if (typeof v === 'number') {
      const f = FIELDS[key];
      if (f && (v < f.min || v > f.max)) outOfRange = true;
      const n = fmtNumber(v, f ? f.decimals : Number.isInteger(v) ? 0 : 2);
      parts.push(f ? `${n}${f.unit ? ` ${f.unit}` : ''}` : key === 'value' ? n : `${key} ${n}`);
    } else if (typeof v === 'boolean') parts.push(`${key} ${t(v ? 'reading.on' : 'reading.off')}`);
    else if (typeof v === 'string') parts.push(`${key} ${v}`);
  }
  return { text: parts.join(' · ') || '—', outOfRange };
}
