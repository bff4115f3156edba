import type { BindingInterface } from '@serialport/bindings-interface';
import { Agent } from './agent.ts';
import { HttpApi } from './api/http.ts';
import { agentMetrics, METRICS_CONTENT_TYPE } from './api/metrics.ts';
import type { AgentConfig } from './config/schema.ts';
import type { Logger } from './core/log.ts';
import { createGpioChip, noGpioChip } from './gpio/index.ts';
import type { GpioChip } from './gpio/types.ts';
import { combinedBinding, nativeBinding } from './kits/serial.ts';
import { selftest } from './tools/selftest.ts';
import { z } from 'zod';
import { describeIssues, purposeSchema, type Purpose } from '@stemlab/protocol';
import { AgentError } from './core/errors.ts';
import { roomConsole, type ConsolePage } from './console/console.ts';
import { systemClock } from './mqtt/clock.ts';
import { MqttExtension } from './mqtt/mqtt-extension.ts';
import { openOutbox, type Outbox } from './outbox/outbox.ts';
import { UsageTracker } from './usage/tracker.ts';
import { NodeRedExtension } from './nodered/nodered-extension.ts';
import { lessonFlows } from './nodered/lessons.ts';
import { LabExperiments, type LabScheduler } from './lab/experiments.ts';
import { labRoutes } from './lab/routes.ts';
import { robotClub } from './club/index.ts';
import type { ClubSessions } from './club/sessions.ts';

const tagRequest = z.strictObject({ purpose: purposeSchema, kits: z.array(z.string()).optional() });

/**
 * The hardware a gateway drives, given by its composition root (`stemlab agent`, the demo, a
 * test): the agent never creates simulators. Absent parts are the real ones, loaded when needed.
 */
export interface GatewayHardware {
  /** Serial ports of real kits; default serialport's native binding, loaded when a real kit is configured. */
  serial?: BindingInterface;
  /** Serial ports of `find: { sim }` kits (a simulator's binding, paths `sim:NAME`); without it such a config is refused. */
  simulatedSerial?: BindingInterface;
  /**
   * The Pi's GPIO. Default: the real chip when the config has GPIO lines (refusing to start
   * where there is none), no chip when it has none. A config with `gpio.sim: true` needs one.
   */
  gpio?: GpioChip;
}

/** What a plugin is handed before the agent starts: register extensions (`agent.use`) and local API routes (`api.route`). */
export interface GatewayParts {
  agent: Agent;
  api: HttpApi;
  usage: UsageTracker;
  mqtt: MqttExtension | undefined;
  nodered: NodeRedExtension | undefined;
  /** Experiments on the kits' sensors, and the lab page (/lab). */
  lab: LabExperiments;
  /** Club sessions of the robot club (the room console's, club/). */
  club: ClubSessions;
}

/** Something a composition root plugs into the gateway (a simulated robot's controls, a room console). */
export type GatewayPlugin = (parts: GatewayParts) => void | Promise<void>;

export interface GatewayOptions {
  log?: Logger;
  /** The local API's port instead of config http.port (0: any free port). */
  port?: number;
  /** Run in order after the built-in extensions, before the agent starts. */
  plugins?: GatewayPlugin[];
  /**
   * Pages in the room console's navigation (console/console.ts). Default: the lab centre's page
   * (`/lab/`). A composition root adds its own here.
   */
  consolePages?: ConsolePage[];
  /** The clock lab experiments sample on (default the wall clock; tests share a manual one with the simulated sensors). */
  labClock?: LabScheduler;
}

/** A running gateway: the agent, its local API, usage, MQTT and Node-RED. */
export interface Gateway extends GatewayParts {
  gpio: GpioChip;
  outbox: Outbox;
  stop(): Promise<void>;
}

/**
 * Assemble a gateway from its config and the hardware its composition root hands it: real
 * serial ports for real kits, the given simulated ports for `sim:` kits, the Pi's GPIO.
 * Refuses (SIMULATOR_MISSING, GPIO_NOT_FOUND) rather than run on hardware that is not there.
 */
export async function startGateway(config: AgentConfig, hardware: GatewayHardware = {}, options: GatewayOptions = {}): Promise<Gateway> {
  const simKits = config.kits.filter((kit) => kit.find.sim !== undefined).map((kit) => kit.id);
  if (simKits.length > 0 && !hardware.simulatedSerial) {
    throw new AgentError('SIMULATOR_MISSING', `kits ${simKits.join(', ')} are simulated boards (find: { sim }), and this agent was given no simulator: start it with \`stemlab agent\` or \`stemlab demo\`, or find each kit by serialNumber or path`);
  }
  if (config.gpio.sim && !hardware.gpio) {
    throw new AgentError('SIMULATOR_MISSING', 'gpio.sim: true asks for a simulated GPIO header, and this agent was given none: start it with `stemlab agent` or `stemlab demo`, or set gpio.sim: false on the gateway\'s Pi');
  }
  const needsNative = config.kits.some((kit) => kit.find.sim === undefined);
  const serial = combinedBinding(hardware.serial ?? (needsNative ? await nativeBinding() : undefined), hardware.simulatedSerial);
  const { gpio: lines } = config;
  const usesGpio = lines.estop !== undefined || lines.buttons.length > 0 || lines.leds.length > 0;
  const gpio = hardware.gpio ?? (usesGpio ? createGpioChip() : noGpioChip);
  const agent = new Agent(config, { serial, gpio }, options.log ? { log: options.log } : {});
  const api = new HttpApi(agent, { host: config.http.host, port: options.port ?? config.http.port });
  api.route('POST', '/api/v1/selftest', async () => ({ report: await selftest(agent) }));
  await agent.use(api);

  // Usage: the tracker turns activity into sessions, the outbox keeps them on disk until the
  // broker has them, the MQTT extension sends them (and births, kit states, telemetry, commands).
  const outbox = openOutbox(config, options.log ? { log: options.log } : {});
  api.text('/metrics', METRICS_CONTENT_TYPE, agentMetrics(agent, { outbox }));
  // The outbox also journals open sessions: a crashed agent's are ended at its next start.
  const usage = new UsageTracker(config, agent.bus, (draft) => outbox.append(draft), systemClock, config.usage.idleMs, outbox);
  const mqtt = config.mqtt.enabled ? new MqttExtension(agent, outbox) : undefined;
  if (mqtt) {
    mqtt.registerCommand('session-start', (args) => {
      usage.tag(args.purpose, args.kits);
      return { tagged: args.kits ?? config.kits.map((k) => k.id), purpose: args.purpose };
    });
    mqtt.registerCommand('session-stop', (args) => {
      usage.tag({ kind: 'free-practice' }, args?.kits);
      return { untagged: args?.kits ?? config.kits.map((k) => k.id) };
    });
    mqtt.registerCommand('selftest', async () => selftest(agent));
    // Extensions stop in reverse: the tracker ends its sessions first, then MQTT sends them.
    await agent.use(mqtt);
  }
  await agent.use(usage);
  // Node-RED on the agent's own server; it stays off (and says how to start it) until the
  // classroom accounts exist (`stemlab agent accounts`). One Node-RED per process.
  // A lesson flow's usage node tags its kit on deploy; on a club session's kits the session's
  // own tag (with class and team) stands, so the flow's is applied to the other kits only.
  const clubOf: { sessions?: ClubSessions } = {};
  const flowTags = { tag: (purpose: Purpose, kits?: readonly string[]) => {
    const outside = clubOf.sessions ? clubOf.sessions.outsideSession(kits ?? config.kits.map((k) => k.id)) : kits;
    if (outside === undefined || outside.length > 0) usage.tag(purpose, outside);
  } };
  const nodered = config.nodered.enabled ? new NodeRedExtension(agent, api, { usage: flowTags }) : undefined;
  if (nodered) await agent.use(nodered);
  if (mqtt && nodered) {
    // "Deploy this lesson to every robot in the club": the central side or a teacher's tool
    // sends this to each gateway and gets a reply from each.
    mqtt.registerCommand('lesson-deploy', async (args) => {
      const flows = lessonFlows(args.lesson, args.variant, args.kits ?? args.kit);
      return nodered.deployLesson(flows, { mode: 'replace-tab', ...(args.by ? { by: args.by } : {}) });
    });
    mqtt.registerCommand('lesson-rollback', async (args) => nodered.rollback(args?.by ? { by: args.by } : {}));
  }
  // The robot club: sessions tagged on the tracker, their usage records from the outbox.
  const robot = robotClub({ agent, api, usage, nodered, onUsage: (listener) => outbox.on('appended', listener) });
  clubOf.sessions = robot.club;
  await agent.use(robot.care);
  roomConsole(agent, api, options.consolePages ?? [{ id: 'lab', href: '/lab/', title: { vi: 'Phòng thí nghiệm', en: 'Lab centre' } }], robot.console);
  api.route('POST', '/api/v1/usage/tag', (body) => {
    const parsed = tagRequest.safeParse(body);
    if (!parsed.success) throw new AgentError('COMMAND_INVALID', `usage tag: ${describeIssues(parsed.error)}`);
    usage.tag(parsed.data.purpose, parsed.data.kits);
    return { purpose: parsed.data.purpose };
  });
  // An experiment is use of its kits (docs/usage-rules.md: readings count on a tagged kit): the
  // lab tags them for its duration, unless a teacher has already tagged them for a lesson.
  const taggedByLab = new Set<string>();
  const lab = new LabExperiments(agent, options.labClock, {
    started: (meta) => {
      const free = meta.kits.filter((kit) => usage.purposeOf(kit).kind === 'free-practice');
      usage.tag({ kind: 'experiment', by: meta.group }, free);
      free.forEach((kit) => taggedByLab.add(kit));
    },
    ended: (meta) => usage.tag({ kind: 'free-practice' }, meta.kits.filter((kit) => taggedByLab.delete(kit))),
  });
  labRoutes(api, agent, lab);
  await agent.use(lab);
  const club = robot.club;
  for (const plugin of options.plugins ?? []) await plugin({ agent, api, usage, mqtt, nodered, lab, club });
  await agent.start();
  return {
    agent,
    api,
    gpio,
    usage,
    outbox,
    mqtt,
    nodered,
    lab,
    club,
    async stop() {
      await agent.stop();
      outbox.close();
      gpio.close();
    },
  };
}
