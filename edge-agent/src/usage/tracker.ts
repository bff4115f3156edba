import { randomUUID } from 'node:crypto';
import type { DeviceRef, Purpose, SessionEndReason, UsageCounts, UsageDraft } from '@stemlab/protocol';
import type { ClockSource } from '../mqtt/clock.ts';
import type { AgentConfig } from '../config/schema.ts';
import type { EventBus } from '../core/events.ts';
import type { Extension } from '../core/extension.ts';
import { FREE_PRACTICE, isActivation, isReadingActivity, motorSpeedAfter } from './rules.ts';

type EndReason = SessionEndReason;

/** A usage event as the tracker makes it (the protocol's schema, before the outbox gives it its id and sequence number). */
export type UsageDraftEvent = UsageDraft;

/** A session a previous run of the agent left open, as the journal last recorded it. */
export interface LeftSession {
  device: DeviceRef;
  session: { id: string; startedAt: number; purpose: Purpose };
  counts: UsageCounts;
  lastActivity: number;
}

export interface SessionCheckpoint {
  id: string;
  counts: UsageCounts;
  lastActivity: number;
}

/**
 * Where open sessions survive the agent (the outbox: a session's row comes and goes with its
 * start and end events, atomically). Without one, a crash leaves sessions without an end.
 */
export interface SessionJournal {
  left(): LeftSession[];
  checkpoint(sessions: readonly SessionCheckpoint[]): void;
}

/** How often open sessions' counts and last activity are recorded: the most use a crash can miss. */
export const CHECKPOINT_MS = 15_000;

interface OpenSession {
  id: string;
  device: DeviceRef;
  purpose: Purpose;
  startedAt: number;
  lastActivity: number;
  counts: UsageCounts;
  /** When the motor started running at its current speed, while it runs. */
  motorSince: number | undefined;
}

/**
 * Turns what happens on the gateway (commands, readings, kits lost, the e-stop) into usage
 * sessions by the rules of rules.ts, and hands each start and end to `append` (the outbox).
 */
export class UsageTracker implements Extension {
  readonly name = 'usage';
  private readonly sessions = new Map<string, OpenSession>();
  private readonly kitSessions = new Map<string, OpenSession>();
  private readonly purposes = new Map<string, Purpose>();
  private readonly unsubscribe: Array<() => void> = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AgentConfig,
    private readonly bus: EventBus,
    private readonly append: (event: UsageDraftEvent) => void,
    private readonly time: ClockSource,
    private readonly idleMs = 60_000,
    private readonly journal?: SessionJournal,
    private readonly checkpointMs = CHECKPOINT_MS,
  ) {}

  async start(): Promise<void> {
    const { bus } = this;
    this.endLeftSessions();
    this.unsubscribe.push(
      // A technician's self-test is maintenance, not use.
      bus.on('component:command', (e) => e.origin !== 'selftest' && this.onCommand(e.kit, e.component, e.type, e.command)),
      bus.on('component:reading', (e) => this.onReading(e.kit, e.component, e.type, e.value)),
      bus.on('safety:stop', (e) => this.onSafetyStop(e.kit)),
      bus.on('kit:state', (e) => {
        if (e.state === 'disconnected' || e.state === 'fault') this.endKit(e.kit, e.state === 'fault' ? 'fault' : 'disconnect', true);
      }),
      bus.on('estop', (e) => e.latched && this.endAll('estop')),
    );
    this.idleTimer = setInterval(() => this.expireIdle(), Math.max(50, Math.floor(this.idleMs / 4)));
    if (this.journal) this.checkpointTimer = setInterval(() => this.checkpoint(), this.checkpointMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.idleTimer);
    clearInterval(this.checkpointTimer);
    this.idleTimer = undefined;
    this.checkpointTimer = undefined;
    for (const off of this.unsubscribe.splice(0)) off();
    this.endAll('shutdown');
  }

  /** Tag kits (all when `kits` is absent) with what they are used for; open sessions end as 'retag'. */
  tag(purpose: Purpose, kits: readonly string[] = this.config.kits.map((k) => k.id)): void {
    for (const kit of kits) {
      this.endKit(kit, 'retag', false);
      if (purpose.kind === 'free-practice') this.purposes.delete(kit);
      else this.purposes.set(kit, purpose);
    }
  }

  purposeOf(kit: string): Purpose {
    return this.purposes.get(kit) ?? FREE_PRACTICE;
  }

  /** Which devices are in use now, for status reports. */
  openSessions(): DeviceRef[] {
    return [...this.sessions.values()].map((s) => s.device);
  }

  private onCommand(kit: string, component: string, type: string, command: Record<string, unknown>): void {
    if (kit === 'gpio') return;
    const now = this.time.now().at;
    if (command.action === 'read') {
      this.activity(kit, component, type, now);
      return;
    }
    const session = this.activity(kit, component, type, now);
    if (isActivation(type, command)) session.counts.activations++;
    const speed = motorSpeedAfter(type, command);
    if (speed !== undefined) this.motor(session, speed > 0, now);
  }

  private onReading(kit: string, component: string, type: string, value: unknown): void {
    if (kit === 'gpio') return;
    const now = this.time.now().at;
    const open = this.sessions.get(`${kit}/${component}`);
    if (!open && !isReadingActivity(type, value, this.purposeOf(kit))) return;
    const session = open && !isReadingActivity(type, value, this.purposeOf(kit)) ? open : this.activity(kit, component, type, now);
    if (type !== 'button') session.counts.readings++;
  }

  /** The watchdog, the e-stop or a lost kit stopped the motors: their running time ends now. */
  private onSafetyStop(kit: string): void {
    const now = this.time.now().at;
    for (const session of this.sessions.values()) if (session.device.kit === kit) this.motor(session, false, now);
  }

  private activity(kit: string, component: string, type: string, now: number): OpenSession {
    const key = `${kit}/${component}`;
    let session = this.sessions.get(key);
    if (!session) {
      if (!this.kitSessions.has(kit)) this.kitSessions.set(kit, this.open({ kit, component: null, type: 'kit' }, now));
      session = this.open({ kit, component, type }, now);
      this.sessions.set(key, session);
    }
    session.lastActivity = now;
    this.kitSessions.get(kit)!.lastActivity = now;
    return session;
  }

  private motor(session: OpenSession, running: boolean, now: number): void {
    if (running && session.motorSince === undefined) session.motorSince = now;
    if (!running && session.motorSince !== undefined) {
      session.counts.motorMs += now - session.motorSince;
      session.motorSince = undefined;
    }
  }

  private open(device: DeviceRef, now: number): OpenSession {
    const session: OpenSession = {
      id: randomUUID(),
      device,
      purpose: this.purposeOf(device.kit),
      startedAt: now,
      lastActivity: now,
      counts: { activations: 0, motorMs: 0, readings: 0 },
      motorSince: undefined,
    };
    const { clock } = this.time.now();
    this.append({ type: 'session.start', at: now, clock, device, session: { id: session.id, startedAt: now, purpose: session.purpose } });
    return session;
  }

  private close(session: OpenSession, endedAt: number, reason: EndReason, faults: number): void {
    this.motor(session, false, endedAt);
    const { at, clock } = this.time.now();
    this.append({
      type: 'session.end',
      at,
      clock,
      device: session.device,
      session: {
        id: session.id,
        startedAt: session.startedAt,
        endedAt,
        durationMs: Math.max(0, endedAt - session.startedAt),
        purpose: session.purpose,
        counts: session.counts,
        faults,
        endReason: reason,
      },
    });
  }

  /** End every session of a kit; the kit's own session ends last and sums its components. */
  private endKit(kit: string, reason: EndReason, lost: boolean): void {
    const now = this.time.now().at;
    const kitSession = this.kitSessions.get(kit);
    if (!kitSession) return;
    for (const [key, session] of this.sessions) {
      if (session.device.kit !== kit) continue;
      this.sessions.delete(key);
      this.addTo(kitSession, session, now);
      this.close(session, lost ? now : session.lastActivity, reason, lost ? 1 : 0);
    }
    this.kitSessions.delete(kit);
    this.close(kitSession, lost ? now : kitSession.lastActivity, reason, lost ? 1 : 0);
  }

  private endAll(reason: EndReason): void {
    for (const kit of [...this.kitSessions.keys()]) this.endKit(kit, reason, false);
  }

  /** Idle sessions end at their last activity; a kit's ends when its last component's does. */
  private expireIdle(): void {
    const now = this.time.now().at;
    for (const [key, session] of this.sessions) {
      if (now - session.lastActivity < this.idleMs || session.motorSince !== undefined) continue;
      this.sessions.delete(key);
      const kitSession = this.kitSessions.get(session.device.kit)!;
      this.addTo(kitSession, session, now);
      this.close(session, session.lastActivity, 'idle', 0);
      if (![...this.sessions.values()].some((s) => s.device.kit === session.device.kit)) {
        this.kitSessions.delete(session.device.kit);
        this.close(kitSession, kitSession.lastActivity, 'idle', 0);
      }
    }
  }

  /**
   * The previous run died with these sessions open: end them now at their last recorded
   * activity, components first, each kit's counts summing its components' (as a normal end does).
   */
  private endLeftSessions(): void {
    const left = this.journal?.left() ?? [];
    const components = left.filter((s) => s.device.component !== null);
    const kits = left.filter((s) => s.device.component === null);
    for (const s of [...components, ...kits]) {
      const counts = { ...s.counts };
      if (s.device.component === null) {
        for (const c of components.filter((c) => c.device.kit === s.device.kit)) {
          counts.activations += c.counts.activations;
          counts.motorMs += c.counts.motorMs;
          counts.readings += c.counts.readings;
        }
      }
      // A kit was active as long as any of its components was.
      const lastActivity = Math.max(s.lastActivity, ...components.filter((c) => s.device.component === null && c.device.kit === s.device.kit).map((c) => c.lastActivity));
      const endedAt = Math.max(s.session.startedAt, lastActivity);
      const { at, clock } = this.time.now();
      this.append({
        type: 'session.end',
        at,
        clock,
        device: s.device,
        session: { ...s.session, endedAt, durationMs: endedAt - s.session.startedAt, counts, faults: 0, endReason: 'crash' },
      });
    }
  }

  /** Records how far every open session has got; a running motor counts as activity up to now. */
  private checkpoint(): void {
    const now = this.time.now().at;
    const progress = (s: OpenSession): SessionCheckpoint => {
      const running = s.motorSince !== undefined ? now - s.motorSince : 0;
      return { id: s.id, counts: { ...s.counts, motorMs: s.counts.motorMs + running }, lastActivity: running > 0 ? now : s.lastActivity };
    };
    this.journal?.checkpoint([...this.sessions.values(), ...this.kitSessions.values()].map(progress));
  }

  /** A kit's counts are the sum of its components'. */
  private addTo(kitSession: OpenSession, session: OpenSession, now: number): void {
    this.motor(session, false, now);
    kitSession.counts.activations += session.counts.activations;
    kitSession.counts.motorMs += session.counts.motorMs;
    kitSession.counts.readings += session.counts.readings;
  }
}
