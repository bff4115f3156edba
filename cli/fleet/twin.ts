/**
 * A simulated gateway of the fleet (simulators/src/fleet) as the central sees a real one: an MQTT
 * client with its own client id (and credentials, when the central requires them), the agent's
 * durable outbox (seq, event ids, evictions) and its usage publisher (window, PUBACK before
 * delete), a birth and a will with the agent's birth numbers, retained kit states, and a clock
 * with a boot id and an uptime that can boot wrong. The kits behind it are simulated by the plan:
 * it appends the usage events the agent's tracker would.
 */
import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { gatewayClientId, gatewayStateSchema, kitStateSchema, topics, usageEventSchema, type Clock, type GatewayState } from '@stemlab/protocol';
import { createLogger, Outbox, UsagePublisher, type Logger } from '@stemlab/edge-agent';
import type { FleetTwin, GatewaySpec, Happening, SimClock } from '@stemlab/simulators/fleet';

export interface TwinOptions {
  /** mqtt://host:port of the central. */
  url: string;
  clock: SimClock;
  /** The outbox file; ':memory:' keeps it in memory (thousands of gateways, quick tests). */
  outboxPath: string;
  /** The outbox file's durability (edge-agent's OutboxOptions.sync): 'full' by default, as on a gateway. */
  outboxSync?: 'full' | 'normal';
  credentials?: { username: string; password: string };
  /** Resolves once the central has recorded the gateway online (up) or offline and disconnected: exact presence. */
  settle?: (unit: string, gateway: string, up: boolean) => Promise<void>;
  log?: Logger;
}

const DAY = 86_400_000;
const VERSION = 'fleet-sim';

export class MqttTwin implements FleetTwin {
  private client: MqttClient | undefined;
  private online = false;
  private boots = 0;
  private bootId: string;
  private bootAt: number;
  private skewMs = 0;
  private synced = true;
  private outbox: Outbox;
  /** The link as the plan has it: while up, a connection the central dropped (a restart) is made again. */
  private linkUp = false;
  private closed = false;
  private publisher: UsagePublisher;
  private readonly kitStates = new Map<string, { state: 'connected' | 'fault'; reason?: string; at: number }>();
  private readonly log: Logger;
  /** The birth number of the current MQTT session. */
  private sessionBdSeq = 0;
  /** Whatever the MQTT client reported going wrong (the soak fails on it). */
  readonly errors: Error[] = [];

  constructor(
    readonly spec: GatewaySpec,
    private readonly options: TwinOptions,
  ) {
    this.log = options.log ?? createLogger('silent');
    // Booted the day before the quarter, clock synchronised.
    this.bootAt = options.clock.now() - DAY;
    this.bootId = this.newBootId();
    this.outbox = this.openOutbox();
    this.publisher = this.newPublisher();
  }

  /**
   * The agent's process is killed and starts again (the soak): the connection drops without a
   * goodbye, acknowledgements not yet written are lost (those events go again: the ledger keeps
   * them once), the outbox file is opened again, and the gateway reconnects.
   */
  async kill(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.online = false;
    this.publisher.stop();
    client?.removeAllListeners('close');
    client?.stream.destroy();
    client?.end(true);
    if (this.options.outboxPath !== ':memory:') {
      this.outbox.close();
      this.outbox = this.openOutbox();
    }
    this.publisher = this.newPublisher();
    if (this.linkUp) await this.connectRetrying();
  }

  private openOutbox(): Outbox {
    return Outbox.open({ path: this.options.outboxPath, sync: this.options.outboxSync, maxEvents: 1_000_000, maxAgeMs: 400 * DAY, clock: { now: () => this.stamp() }, log: this.log });
  }

  /** Connects, retrying while the central is away (it restarts in the soak). */
  private async connectRetrying(): Promise<void> {
    for (;;) {
      if (this.closed || !this.linkUp) return;
      try {
        return await this.connect();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  }

  pending(): number {
    return this.outbox.stats().pending;
  }

  apply(h: Happening): void | Promise<void> {
    switch (h.kind) {
      case 'session.start':
        this.append({ type: 'session.start', ...this.stamp(), device: h.device, session: { id: h.session, startedAt: this.wall(h.t), purpose: h.purpose } });
        return;
      case 'session.end': {
        const stamp = this.stamp();
        this.append({
          type: 'session.end',
          ...stamp,
          device: h.device,
          session: {
            id: h.session,
            startedAt: this.wall(h.startedAt),
            endedAt: this.wall(h.endedAt),
            durationMs: h.endedAt - h.startedAt,
            purpose: h.purpose,
            counts: { activations: h.device.type === 'kit' ? 0 : 1, motorMs: 0, readings: 0 },
            faults: h.faults,
            endReason: h.endReason,
          },
        });
        return;
      }
      case 'kit-state':
        this.kitStates.set(h.kit, { state: h.state, ...(h.reason ? { reason: h.reason } : {}), at: this.wall(h.t) });
        if (this.online) this.publishKitState(h.kit);
        return;
      case 'boot':
        // A new process on a new boot: what was in flight goes again from the outbox.
        this.publisher.stop();
        this.boots++;
        this.bootAt = h.t;
        this.bootId = this.newBootId();
        this.skewMs = h.skewMs;
        this.synced = false;
        this.publisher = this.newPublisher();
        return;
      case 'ntp':
        this.skewMs = 0;
        this.synced = true;
        return;
      case 'link':
        this.linkUp = h.up;
        return h.up ? this.connectRetrying() : this.disconnect(h.clean);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.publisher.stop();
    if (this.client) {
      const client = this.client;
      this.client = undefined;
      this.online = false;
      await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
    }
    this.publisher.flushAcks();
    this.outbox.close();
  }

  private newBootId(): string {
    return `sim-${this.spec.unit}-${this.spec.gateway}-${this.boots}`;
  }

  private newPublisher(): UsagePublisher {
    const { unit, gateway } = this.spec;
    const publish = (event: Parameters<ConstructorParameters<typeof UsagePublisher>[1]>[0], done: (err?: Error) => void) => {
      if (!this.client) return done(new Error('offline'));
      this.client.publish(topics.usage(unit, gateway), JSON.stringify(event), { qos: 1 }, (err) => done(err ?? undefined));
    };
    return new UsagePublisher(this.outbox, publish, 200, () => this.online, this.log);
  }

  /** The gateway's wall clock at simulated time t (wrong after a bad boot until NTP). */
  private wall(t: number): number {
    return t + (this.synced ? 0 : this.skewMs);
  }

  private stamp(): { at: number; clock: Clock } {
    const t = this.options.clock.now();
    return { at: this.wall(t), clock: { synced: this.synced, bootId: this.bootId, uptimeMs: t - this.bootAt } };
  }

  private append(draft: Parameters<Outbox['append']>[0]): void {
    const event = this.outbox.append(draft);
    // The protocol's own schema: a twin that drifted from the agent's events fails here, not at the central.
    usageEventSchema.parse(event);
    this.publisher.drain();
  }

  private state(status: GatewayState['status'], bdSeq: number): string {
    return JSON.stringify(gatewayStateSchema.parse({ status, bdSeq, ...this.stamp(), ...(status === 'online' ? { outbox: this.outbox.stats() } : {}), agent: { version: VERSION } }));
  }

  private publishKitState(kit: string): void {
    const entry = this.kitStates.get(kit);
    if (!entry || !this.client) return;
    const { unit, gateway } = this.spec;
    const payload = kitStateSchema.parse({ ...entry, clock: this.stamp().clock });
    this.client.publish(topics.kitState(unit, gateway, kit), JSON.stringify(payload), { qos: 1, retain: true });
  }

  private async connect(): Promise<void> {
    const { unit, gateway } = this.spec;
    const bdSeq = this.outbox.nextBdSeq();
    this.sessionBdSeq = bdSeq;
    const stateTopic = topics.gatewayState(unit, gateway);
    const client = await mqtt.connectAsync(this.options.url, {
      clientId: gatewayClientId(unit, gateway),
      ...(this.options.credentials ?? {}),
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      will: { topic: stateTopic, payload: Buffer.from(this.state('offline', bdSeq)), qos: 1, retain: true },
    });
    client.on('error', (err) => this.errors.push(err));
    client.on('close', () => {
      // The central went away while the link is up (a restart): the agent reconnects.
      if (this.client !== client || this.closed) return;
      this.client = undefined;
      this.online = false;
      this.publisher.stop();
      this.publisher = this.newPublisher();
      setTimeout(() => void this.connectRetrying(), 200);
    });
    // As the agent does (mqtt-extension.ts): without TCP_NODELAY each QoS 1 round trip waits ~40 ms for a delayed ACK.
    (client.stream as Partial<Socket>).setNoDelay?.(true);
    this.client = client;
    await client.publishAsync(stateTopic, this.state('online', bdSeq), { qos: 1, retain: true });
    this.online = true;
    for (const kit of this.kitStates.keys()) this.publishKitState(kit);
    this.publisher.drain();
    await this.options.settle?.(unit, gateway, true);
  }

  private async disconnect(clean: boolean): Promise<void> {
    const client = this.client;
    if (!client) return;
    const { unit, gateway } = this.spec;
    this.online = false;
    this.client = undefined;
    client.removeAllListeners('close');
    if (clean) {
      // A clean goodbye discards the will: say offline ourselves, with this session's birth number.
      await client.publishAsync(topics.gatewayState(unit, gateway), this.state('offline', this.sessionBdSeq), { qos: 1, retain: true });
      await client.endAsync();
    } else {
      // The network goes: no DISCONNECT, the broker publishes the will.
      client.stream.destroy();
      client.end(true);
    }
    this.publisher.flushAcks();
    this.publisher.stop();
    this.publisher = this.newPublisher();
    await this.options.settle?.(unit, gateway, false);
  }
}
