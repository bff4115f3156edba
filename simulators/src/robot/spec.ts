/**
 * What a simulated robot is made of: the two-wheeled kit schools buy (a 20 cm chassis, two TT
 * gear motors on a driver, an HC-SR04 on a pan servo, an IR line array at the front). Units are
 * cm, seconds and degrees. Every number can be changed per robot; these are the defaults the
 * lessons and the hand-computed tests use.
 */
export interface RobotSpec {
  /** The chassis as a disc, for collisions (cm). */
  radius: number;
  /** Distance between the two wheels (cm). */
  track: number;
  /** A wheel's speed at PWM 255 on a full battery (cm/s); PWM p ≥ deadBand gives maxSpeed·(p − deadBand)/(255 − deadBand). */
  maxSpeed: number;
  /** Below this PWM duty the motor does not overcome its gearbox: the wheel stays still. */
  deadBand: number;
  /** The motor's time constant (s): its speed closes 63 % of the gap to the commanded speed in this time. */
  motorTau: number;
  /** Share of the wheel's speed lost to the floor when rolling (0 = perfect grip). */
  slip: number;
  /** The most a wheel's ground speed can change per second (cm/s²); a harder start spins the wheel. */
  traction: number;
  sonar: {
    /** cm ahead of the axle, on the robot's centre line. */
    offset: number;
    /** Half the cone's opening (degrees). */
    halfAngle: number;
    /** Rays cast across the cone. */
    rays: number;
    /** Nearer than this the HC-SR04 reads this (cm). */
    min: number;
    /** Beyond this nothing echoes: no reading (cm). */
    max: number;
  };
  line: {
    /** How many sensors, left to right. */
    count: number;
    /** cm ahead of the axle. */
    offset: number;
    /** cm between neighbouring sensors. */
    spacing: number;
    /** Radius of the floor spot each sensor sees (cm). */
    spot: number;
    /** The analog reading over a light floor and over a dark line (0–1023; dark reads high, as TCRT5000 modules do). */
    light: number;
    dark: number;
  };
  /** How fast the pan servo turns (degrees per second). */
  servoSpeed: number;
  /** A battery that sags under load and drains with use; absent: the motors always get full voltage. */
  battery?: BatterySpec;
  /** Noise levels (standard deviations); scaled by the world's `noise` option (0 turns all noise off). */
  noise: {
    /** Each motor's gain differs from its twin's by this share: no robot drives quite straight. */
    motorGain: number;
    /** Sonar reading (cm). */
    sonar: number;
    /** Line sensor reading (raw units). */
    line: number;
  };
}

export interface BatterySpec {
  /** Volts when charged; the motors' maxSpeed is at this voltage. */
  full: number;
  /** Volts lost while both motors draw full current (sag under load). */
  sag: number;
  /** Volts lost per minute of both motors at full power (drain). */
  drainPerMinute: number;
  /** Below this the driver cuts out (volts). */
  empty: number;
}

export const defaultRobotSpec: RobotSpec = {
  radius: 10,
  track: 13,
  maxSpeed: 39,
  deadBand: 60,
  motorTau: 0.1,
  slip: 0.03,
  traction: 150,
  sonar: { offset: 8, halfAngle: 15, rays: 7, min: 2, max: 400 },
  line: { count: 3, offset: 7, spacing: 1.5, spot: 0.4, light: 80, dark: 900 },
  servoSpeed: 500,
  noise: { motorGain: 0.02, sonar: 0.3, line: 8 },
};

export const defaultBattery: BatterySpec = { full: 7.4, sag: 0.6, drainPerMinute: 0.05, empty: 6 };

export type RobotSpecInput = Partial<Omit<RobotSpec, 'sonar' | 'line' | 'noise' | 'battery'>> & {
  sonar?: Partial<RobotSpec['sonar']>;
  line?: Partial<RobotSpec['line']>;
  noise?: Partial<RobotSpec['noise']>;
  /** true: the default battery; or its numbers. */
  battery?: boolean | Partial<BatterySpec>;
};

export function robotSpec(input: RobotSpecInput = {}): RobotSpec {
  const { sonar, line, noise, battery, ...rest } = input;
  const spec: RobotSpec = {
    ...defaultRobotSpec,
    ...rest,
    sonar: { ...defaultRobotSpec.sonar, ...sonar },
    line: { ...defaultRobotSpec.line, ...line },
    noise: { ...defaultRobotSpec.noise, ...noise },
  };
  if (battery) spec.battery = { ...defaultBattery, ...(battery === true ? {} : battery) };
  return spec;
}

/** A wheel's commanded speed (cm/s, signed) for a PWM duty and direction, at a battery's share of full voltage. */
export function commandedSpeed(spec: RobotSpec, pwm: number, forward: boolean, voltage = 1): number {
  const duty = Math.min(Math.max(pwm, 0), 255) * voltage;
  if (duty < spec.deadBand) return 0;
  const speed = (spec.maxSpeed * (duty - spec.deadBand)) / (255 - spec.deadBand);
  return forward ? speed : -speed;
}
