/**
 * What counts as use: the rules behind every number the department sees, in one place.
 * docs/usage-rules.md explains them for people; these functions are what the agent runs.
 *
 * A device is a kit's component, or the kit as a whole. At any time it is
 *   offline  — its kit is disconnected;
 *   faulty   — its kit is in fault (stalled, no Firmata);
 *   in use   — a usage session of it is open;
 *   idle     — otherwise.
 *
 * A session of a component opens at its first activity while idle, and ends when
 *   - no activity came for `idleMs` (it ends at the last activity, not at the timeout),
 *   - its kit is lost (disconnect or fault: it ends then, and counts a fault),
 *   - its kit is re-tagged (a lesson starts or ends: the next activity opens a new session),
 *   - the e-stop latches, or the agent stops.
 * Activity is
 *   - for an actuator: every command it accepts (a lesson driving it, a teacher's tool);
 *   - for a button: a press;
 *   - for a sensor: a `read` command, or a reading while its kit is tagged with a purpose other
 *     than free practice (a lesson or experiment is running on that kit, so its readings are being
 *     used). Sensors report on their own all day; untagged readings are not use.
 * A kit is in use while any of its components is: its session starts with the first component
 * session and ends with the last, with the same purpose.
 * Counts: activations (commands that set an actuator going), motor time (ms with speed > 0,
 * summed over motors), readings (sensor readings during the session), faults (kit losses).
 */
import type { Purpose } from '@stemlab/protocol';

export const FREE_PRACTICE: Purpose = { kind: 'free-practice' };

/** Whether an accepted command sets an actuator going (an activation), by component type. */
export function isActivation(type: string, command: Record<string, unknown>): boolean {
  const action = command.action;
  switch (type) {
    case 'motor':
      return (action === 'forward' || action === 'reverse') && Number(command.speed) > 0;
    case 'led':
      return action === 'on' || action === 'blink' || action === 'toggle' || (action === 'brightness' && Number(command.value) > 0);
    case 'servo':
      return action === 'to' || action === 'center';
    case 'piezo':
      return action === 'tone';
    case 'relay':
      return action === 'on' || action === 'toggle';
    default:
      return false;
  }
}

/** The motor speed a command leaves behind (for motor time), or undefined if not a motor command. */
export function motorSpeedAfter(type: string, command: Record<string, unknown>): number | undefined {
  if (type !== 'motor') return undefined;
  if (command.action === 'stop') return 0;
  return Number(command.speed) || 0;
}

/** Whether a reading counts as activity: buttons when pressed; sensors only inside a tagged purpose. */
export function isReadingActivity(type: string, value: unknown, purpose: Purpose): boolean {
  if (type === 'button') return (value as { pressed?: boolean } | null)?.pressed === true;
  return purpose.kind !== 'free-practice';
}

export const SENSOR_TYPES = new Set(['button', 'analog-sensor', 'thermometer', 'proximity', 'line-sensors']);
