/** The simulated fleet's shape: its gateways, what happens to them in a quarter, and the truth. */

export type Category = 'robots' | 'lab';

export interface ComponentSpec {
  id: string;
  type: string;
}

export interface KitSpec {
  id: string;
  components: ComponentSpec[];
}

/** One simulated gateway: a school's robot club, or a lab centre. */
export interface GatewaySpec {
  unit: string;
  gateway: string;
  category: Category;
  kits: KitSpec[];
}

/** A device as usage events name it. */
export interface Device {
  kit: string;
  component: string | null;
  type: string;
}

/** What happens to a gateway, at simulated time `t` (ms). */
export type Happening =
  | { t: number; kind: 'session.start'; device: Device; session: string; purpose: Purpose }
  | { t: number; kind: 'session.end'; device: Device; session: string; purpose: Purpose; startedAt: number; endedAt: number; faults: number; endReason: 'idle' | 'fault' }
  | { t: number; kind: 'kit-state'; kit: string; state: 'connected' | 'fault'; reason?: string }
  /** The network comes or goes (clean: the gateway said goodbye; else the broker publishes its will). */
  | { t: number; kind: 'link'; up: boolean; clean: boolean }
  /** The gateway boots (after a power cut): its wall clock is `skewMs` wrong until NTP answers. */
  | { t: number; kind: 'boot'; skewMs: number }
  /** NTP answers: the wall clock is right again. */
  | { t: number; kind: 'ntp' };

export interface Purpose {
  kind: 'lesson' | 'experiment' | 'club-session' | 'class';
  classId?: string;
  lessonId?: string;
}

/** A kit's or a component's session as it really happened. */
export interface TrueSession {
  device: Device;
  start: number;
  end: number;
  fault: boolean;
}

export interface GatewayPlan {
  spec: GatewaySpec;
  /** In time order (ties keep the order the gateway does them in). */
  happenings: Happening[];
  sessions: TrueSession[];
  /** Repairs: from a kit's fault to its return. `end` null: not back by the quarter's end. */
  repairs: Array<{ kit: string; start: number; end: number | null }>;
  /** When the gateway's link was up, [from, to). */
  online: Array<{ from: number; to: number }>;
}

export interface FleetPlan {
  quarter: string;
  seed: number;
  from: number;
  to: number;
  gateways: GatewayPlan[];
}
