import { BoardSimulator, SimulatedGpio } from '@stemlab/simulators';
import { Agent } from './agent.ts';
import { HttpApi } from './api/http.ts';
import type { AgentConfig } from './config/schema.ts';
import type { Logger } from './core/log.ts';
import { createGpioChip } from './gpio/index.ts';
import type { GpioChip } from './gpio/types.ts';
import { combinedBinding, nativeBinding } from './kits/serial.ts';
import { addSimulatedKits } from './simulated.ts';
import { selftest } from './tools/selftest.ts';
import { z } from 'zod';
import { describeIssues, purposeSchema } from '@stemlab/protocol';
import { AgentError } from './core/errors.ts';
import { systemClock } from './mqtt/clock.ts';
import { MqttExtension } from './mqtt/mqtt-extension.ts';
import { openOutbox, type Outbox } from './outbox/outbox.ts';
import { UsageTracker } from './usage/tracker.ts';
import { NodeRedExtension } from './nodered/nodered-extension.ts';
import { lessonFlows } from './nodered/lessons.ts';

const tagRequest = z.strictObject({ purpose: purposeSchema, kits: z.array(z.string()).optional() });

/** A running gateway: the agent, its local API, and the simulators it drives where the config says `sim:`. */
export interface Gateway {
  agent: Agent;
  api: HttpApi;
  /** Present when some kit is simulated: the demo and tests drive its inputs. */
  simulator: BoardSimulator | undefined;
  gpio: GpioChip;
  usage: UsageTracker;
  outbox: Outbox;
  /** Absent when the config turns MQTT off. */
  mqtt: MqttExtension | undefined;
  /** Absent when the config turns Node-RED off; `state` says whether it runs. */
  nodered: NodeRedExtension | undefined;
  stop(): Promise<void>;
}

/**
 * Assemble a gateway from its config: real serial ports for real kits, a simulator for `sim:`
 * kits, the Pi's GPIO through onoff (simulated on any other machine, or when the config uses
 * no GPIO line, so a Pi without sysfs GPIO still runs its kits).
 */
export async function startGateway(config: AgentConfig, options: { log?: Logger; port?: number } = {}): Promise<Gateway> {
  const needsSim = config.kits.some((kit) => kit.find.sim !== undefined);
  const needsNative = config.kits.some((kit) => kit.find.sim === undefined);
  const simulator = needsSim ? new BoardSimulator() : undefined;
  if (simulator) addSimulatedKits(config, simulator);
  const serial = combinedBinding(needsNative ? await nativeBinding() : undefined, simulator?.binding);
  const { gpio: lines } = config;
  const usesGpio = lines.estop !== undefined || lines.buttons.length > 0 || lines.leds.length > 0;
  const gpio = usesGpio ? createGpioChip() : new SimulatedGpio();
  const agent = new Agent(config, { serial, gpio }, options.log ? { log: options.log } : {});
  const api = new HttpApi(agent, { host: config.http.host, port: options.port ?? config.http.port });
  api.route('POST', /^\/api\/v1\/selftest$/, async () => ({ report: await selftest(agent) }));
  await agent.use(api);

  // Usage: the tracker turns activity into sessions, the outbox keeps them on disk until the
  // broker has them, the MQTT extension sends them (and births, kit states, telemetry, commands).
  const outbox = openOutbox(config, options.log ? { log: options.log } : {});
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
  const nodered = config.nodered.enabled ? new NodeRedExtension(agent, api, { usage }) : undefined;
  if (nodered) await agent.use(nodered);
  if (mqtt && nodered) {
    // "Deploy this lesson to every robot in the club": the central side or a teacher's tool
    // sends this to each gateway and gets a reply from each.
    mqtt.registerCommand('lesson-deploy', async (args) => {
      const flows = lessonFlows(args.lesson, args.variant, args.kit);
      return nodered.deployLesson(flows, { mode: 'replace-tab', ...(args.by ? { by: args.by } : {}) });
    });
    mqtt.registerCommand('lesson-rollback', async (args) => nodered.rollback(args?.by ? { by: args.by } : {}));
  }
  api.route('POST', /^\/api\/v1\/usage\/tag$/, (body) => {
    const parsed = tagRequest.safeParse(body);
    if (!parsed.success) throw new AgentError('COMMAND_INVALID', `usage tag: ${describeIssues(parsed.error)}`);
    usage.tag(parsed.data.purpose, parsed.data.kits);
    return { purpose: parsed.data.purpose };
  });
  await agent.start();
  return {
    agent,
    api,
    simulator,
    gpio,
    usage,
    outbox,
    mqtt,
    nodered,
    async stop() {
      await agent.stop();
      outbox.close();
      simulator?.close();
      gpio.close();
    },
  };
}
