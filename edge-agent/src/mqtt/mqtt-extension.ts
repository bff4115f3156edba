/**
 * The gateway on the central broker (docs/mqtt.md, topics in @stemlab/protocol):
 *
 * - a persistent session (clean: false) under client id `gw:{unit}:{gateway}`, so QoS 1 commands
 *   sent while the gateway was away are waiting for it when it comes back;
 * - a retained birth after every connect and a will with the same birth number (Sparkplug's
 *   bdSeq), so the ledger can tell a late will of an old session from the end of the current one;
 * - the birth carries the e-stop latch and is published again (retained, same birth number) on
 *   every latch and reset, so the central shows a latched e-stop within seconds;
 * - each kit's retained state; usage events from the durable outbox (usage-publisher.ts);
 *   telemetry at QoS 0, rate-limited per device; commands with replies (commands.ts).
 *
 * start() never waits for the broker: a gateway may start offline and work for days; mqtt.js
 * retries every `mqtt.reconnectMs` meanwhile, and the outbox keeps the usage events.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { connect, type IClientOptions, type MqttClient, type Packet } from 'mqtt';
import { Backoff, gatewayStateSchema, kitStateSchema, parseTopic, topics, type GatewayCommandName, type GatewayState, type KitStatePayload } from '@stemlab/protocol';
import type { Agent } from '../agent.ts';
import type { AgentEvents, KitState } from '../core/events.ts';
import type { Extension } from '../core/extension.ts';
import type { Logger } from '../core/log.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { systemClock, type ClockSource } from './clock.ts';
import { CommandRouter, registerAgentCommands, type CommandHandler } from './commands.ts';
import { LatestRateLimiter } from './rate-limit.ts';
import { UsagePublisher } from './usage-publisher.ts';

const AGENT_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
/** How long stop() waits for the broker to take the offline state and the last PUBACKs. */
const STOP_TIMEOUT_MS = 2000;

export interface MqttExtensionOptions {
  clock?: ClockSource;
  /** The jitter of the reconnect waits (numbers in [0, 1)); Math.random by default, seeded in tests. */
  random?: () => number;
}

type WireKitState = Pick<KitStatePayload, 'state' | 'reason'>;

export class MqttExtension implements Extension {
  readonly name = 'mqtt';
  private readonly log: Logger;
  private readonly clock: ClockSource;
  private readonly random: (() => number) | undefined;
  private readonly commands: CommandRouter;
  private readonly kitStates = new Map<string, WireKitState & { at: number }>();
  private client: MqttClient | undefined;
  private publisher: UsagePublisher | undefined;
  private telemetry: LatestRateLimiter<{ value: unknown; at: number }> | undefined;
  private offs: Array<() => void> = [];
  /** The number the next CONNECT's will carries; persisted before it is used. */
  private bdSeq = 0;
  /** The number of the live session (its birth and its will). */
  private sessionBdSeq = 0;
  /** Between 'connect' (session ready, stored messages resent) and 'close'. */
  private online = false;
  private failing = false;
  /** When the e-stop last latched or was reset, and by what (the agent keeps only the latch's source). */
  private estopChange: { at: number; source: string } | undefined;

  constructor(
    private readonly agent: Agent,
    private readonly outbox: Outbox,
    options: MqttExtensionOptions = {},
  ) {
    this.log = agent.log.child({ module: 'mqtt' });
    this.clock = options.clock ?? systemClock;
    this.random = options.random;
    this.commands = new CommandRouter(this.log);
    registerAgentCommands(this.commands, agent);
  }

  /** Lets another extension answer a command (session-start, session-stop, selftest); returns the remover. */
  registerCommand<N extends GatewayCommandName>(name: N, handler: CommandHandler<N>): () => void {
    return this.commands.register(name, handler);
  }

  /** The mqtt.js client while started (tests reach its stream). */
  get mqttClient(): MqttClient | undefined {
    return this.client;
  }

  get connected(): boolean {
    return this.online;
  }

  async start(): Promise<void> {
    if (this.client) return;
    const { unit, gateway, mqtt: config } = this.agent.config;
    this.bdSeq = this.outbox.nextBdSeq();
    for (const kit of this.agent.status().kits) this.setKitState(kit.id, kit.state, kit.reason, Date.now());

    const options: IClientOptions = {
      clientId: config.clientId.replaceAll('{unit}', unit).replaceAll('{gateway}', gateway),
      protocolVersion: 4,
      // [MQTT-3.1.2-4] a persistent session: the broker keeps our subscription and the QoS 1
      // commands that arrive while we are offline.
      clean: false,
      keepalive: config.keepaliveS,
      reconnectPeriod: config.reconnectMs,
      // A refused CONNACK (broker starting, credentials not yet provisioned) would otherwise stop
      // mqtt.js retrying for good, and the gateway would stay offline until someone restarts it.
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      // Telemetry from while offline is stale: drop it rather than hoard it in memory for days.
      queueQoSZero: false,
      manualConnect: true,
      will: this.will(),
      ...(config.username === undefined ? {} : { username: config.username }),
      ...(config.password === undefined ? {} : { password: config.password }),
    };
    const client = connect(config.url, options);
    this.client = client;
    this.publisher = new UsagePublisher(
      this.outbox,
      (event, done) => client.publish(topics.usage(unit, gateway), JSON.stringify(event), { qos: 1 }, (err) => done(err)),
      config.inflight,
      () => this.online,
      this.log,
    );
    if (config.telemetryPerSecond > 0) {
      this.telemetry = new LatestRateLimiter(1000 / config.telemetryPerSecond, (key, reading) => {
        const [kit, component] = key.split('/') as [string, string];
        if (this.online) client.publish(topics.telemetry(unit, gateway, kit, component), JSON.stringify(reading), { qos: 0 });
      });
    }

    // Each attempt's will carries the number reserved for it, stamped with the attempt's time.
    client.on('reconnect', () => (client.options.will = this.will()));
    this.reconnectWithBackoff(client, new Backoff({ minMs: config.reconnectMs, maxMs: config.reconnectMaxMs, ...(this.random ? { random: this.random } : {}) }));
    client.on('packetreceive', (packet: Packet) => {
      if (packet.cmd === 'connack' && packet.returnCode === 0) this.onConnack(client);
    });
    client.on('connect', () => this.onSession(client));
    client.on('close', () => (this.online = false));
    client.on('error', (err) => this.onError(err));
    client.on('message', (topic, payload) => {
      this.onMessage(topic, payload).catch((err: unknown) => this.log.error({ err, topic }, 'command not answered'));
    });
    this.offs.push(
      this.agent.bus.on('kit:state', (e) => this.onKitState(e)),
      this.agent.bus.on('component:reading', (e) => this.telemetry?.push(`${e.kit}/${e.component}`, { value: e.value, at: e.at })),
      this.outbox.on('appended', () => this.publisher?.drain()),
      this.agent.bus.on('estop', (e) => this.onEstop(e)),
    );
    client.connect();
    this.log.info({ url: config.url, clientId: options.clientId, bdSeq: this.bdSeq }, 'connecting to the broker (the gateway works offline meanwhile)');
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    for (const off of this.offs) off();
    this.offs = [];
    this.telemetry?.clear();
    this.telemetry = undefined;
    // Last usage events (sessions ended by the stop itself) go now if the broker is there;
    // whatever does not make it in 2 s waits in the outbox for the next start.
    const deadline = Date.now() + 2000;
    while (this.online && this.outbox.stats().pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const publisher = this.publisher;
    this.publisher = undefined;
    publisher?.stop();
    if (this.online) {
      // A clean DISCONNECT discards the will, so say offline ourselves (Sparkplug's death certificate).
      await this.withTimeout(new Promise<void>((resolve) => client.publish(this.stateTopic(), JSON.stringify(this.gatewayState('offline', this.sessionBdSeq)), { qos: 1, retain: true }, () => resolve())));
    }
    const wasOnline = this.online;
    this.online = false;
    // Online: DISCONNECT once the last PUBACKs are in. Offline: drop the attempt in progress; with
    // the stream already closed mqtt.js never calls back, so only wait when there is a stream.
    const ended = new Promise<void>((resolve) => client.end(!wasOnline, {}, () => resolve()));
    if (wasOnline || client.stream?.destroyed === false) await this.withTimeout(ended);
    client.stream?.destroy();
    // The PUBACKs that came in while ending: those events leave the outbox now.
    publisher?.flushAcks();
    // Nothing of ours runs after stop(); a late socket error must not become an uncaught 'error'.
    client.removeAllListeners();
    client.on('error', () => undefined);
    this.client = undefined;
  }

  /**
   * Waits between attempts grow with jitter (protocol's Backoff), so a city's gateways do not all
   * reach a restarted central in the same second. mqtt.js retries on a fixed period: before its
   * own close handler schedules the next attempt, the period becomes the next wait (and a timer
   * left from the previous period is cleared, since mqtt.js keeps it as an interval).
   */
  private reconnectWithBackoff(client: MqttClient, backoff: Backoff): void {
    const internals = client as unknown as { reconnectTimer: unknown; _clearReconnect(): void };
    client.prependListener('close', () => {
      client.options.reconnectPeriod = backoff.next();
      if (internals.reconnectTimer) internals._clearReconnect();
    });
    client.on('connect', () => backoff.reset());
  }

  /** The broker accepted this CONNECT: its will (number N) is registered, so no later CONNECT may use N. */
  private onConnack(client: MqttClient): void {
    this.sessionBdSeq = this.bdSeq;
    this.bdSeq = this.outbox.nextBdSeq();
    client.options.will = this.will();
    // TCP_NODELAY: mqtt.js has no option for it. Without it a small PUBLISH waits for the ACK of
    // the previous one (Nagle), which the broker delays ~40 ms: every QoS 1 round trip stalls.
    const stream = client.stream as Partial<Socket> | undefined;
    if (typeof stream?.setNoDelay === 'function') stream.setNoDelay(true);
  }

  /** A session is ready (mqtt.js has resent what was in flight): birth, kit states, commands, usage. */
  private onSession(client: MqttClient): void {
    const { unit, gateway } = this.agent.config;
    this.online = true;
    if (this.failing) this.log.info('broker reachable again');
    this.failing = false;
    client.subscribe(topics.commands(unit, gateway), { qos: 1 }, (err) => {
      if (err) this.log.error({ err }, 'could not subscribe to commands');
    });
    // An idle gateway appends nothing, so nothing aged out while it was away: sweep before the
    // birth reports the outbox and the replay starts.
    this.outbox.sweep();
    this.publishRetained(this.stateTopic(), this.gatewayState('online', this.sessionBdSeq));
    for (const kit of this.kitStates.keys()) this.publishKitState(kit);
    this.log.info({ bdSeq: this.sessionBdSeq, outbox: this.outbox.stats() }, 'online');
    this.publisher?.drain();
  }

  private onError(err: Error): void {
    // Retries run every few seconds for as long as the broker is away: say it once, not each time.
    if (this.failing) return this.log.debug({ err }, 'broker still unreachable');
    this.failing = true;
    this.log.warn({ err }, 'broker unreachable; retrying, usage events wait in the outbox');
  }

  private async onMessage(topic: string, payload: Buffer): Promise<void> {
    const { unit, gateway } = this.agent.config;
    const parsed = parseTopic(topic);
    if (parsed?.kind !== 'command' || parsed.unit !== unit || parsed.gateway !== gateway) return;
    const reply = await this.commands.handle(parsed.name, payload);
    if (reply.status === 'error') this.log.warn({ command: parsed.name, requestId: reply.requestId, code: reply.code }, reply.message);
    // A reply while offline waits in mqtt.js and goes with the next session.
    this.client?.publish(topics.reply(unit, gateway, parsed.name), JSON.stringify(reply), { qos: 1 });
  }

  /** A latch or a reset: the retained birth is replaced by one saying so (same session, same number). */
  private onEstop({ at, source }: AgentEvents['estop']): void {
    this.estopChange = { at, source };
    if (this.online) this.publishRetained(this.stateTopic(), this.gatewayState('online', this.sessionBdSeq));
  }

  private onKitState({ kit, state, reason, at }: AgentEvents['kit:state']): void {
    if (this.setKitState(kit, state, reason, at) && this.online) this.publishKitState(kit);
  }

  /**
   * Only connected / disconnected / fault go on the wire. 'connecting' is a retry in progress:
   * the kit stays what it was (at start, disconnected); 'stopped' is disconnected.
   * Returns whether the wire state changed.
   */
  private setKitState(kit: string, state: KitState, reason: string | undefined, at: number): boolean {
    const previous = this.kitStates.get(kit);
    let wire: WireKitState;
    if (state === 'connecting') {
      if (previous) return false;
      wire = { state: 'disconnected', reason: 'connecting' };
    } else if (state === 'stopped') wire = { state: 'disconnected', reason: 'agent stopped' };
    else wire = reason === undefined ? { state } : { state, reason: reason.slice(0, 500) };
    if (previous && previous.state === wire.state && previous.reason === wire.reason) return false;
    this.kitStates.set(kit, { ...wire, at });
    return true;
  }

  private publishKitState(kit: string): void {
    const { unit, gateway } = this.agent.config;
    const entry = this.kitStates.get(kit);
    if (!entry) return;
    const { clock } = this.clock.now();
    this.publishRetained(topics.kitState(unit, gateway, kit), kitStateSchema.parse({ ...entry, clock }));
  }

  private publishRetained(topic: string, payload: unknown): void {
    this.client?.publish(topic, JSON.stringify(payload), { qos: 1, retain: true }, (err) => {
      if (err) this.log.debug({ err, topic }, 'retained state not delivered; it is sent again at the next connect');
    });
  }

  private stateTopic(): string {
    return topics.gatewayState(this.agent.config.unit, this.agent.config.gateway);
  }

  private gatewayState(status: GatewayState['status'], bdSeq: number): GatewayState {
    const { at, clock } = this.clock.now();
    // Only a live session's state says what the e-stop is; a will is written at connect and sent later.
    const live = status === 'online' ? { outbox: this.outbox.stats(), estop: this.estopState() } : {};
    return gatewayStateSchema.parse({ status, bdSeq, at, clock, ...live, agent: { version: AGENT_VERSION } });
  }

  private estopState(): NonNullable<GatewayState['estop']> {
    const latched = this.agent.estop.latched;
    const source = latched ? this.agent.estop.source : this.estopChange?.source;
    return { latched, ...(this.estopChange ? { at: this.estopChange.at } : {}), ...(source ? { source: source.slice(0, 100) } : {}) };
  }

  /** The will registered with the next CONNECT. Its `at` is the connect time: the broker sends it later, unchanged. */
  private will(): NonNullable<IClientOptions['will']> {
    return { topic: this.stateTopic(), payload: Buffer.from(JSON.stringify(this.gatewayState('offline', this.bdSeq))), qos: 1, retain: true };
  }

  private async withTimeout(work: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)))]);
    clearTimeout(timer);
  }
}
