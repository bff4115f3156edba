/**
 * The edge agent's config: one zod schema, the only source of truth. The TypeScript types are
 * inferred from it, the defaults live in it, and docs/agent-config.schema.json and
 * docs/agent-config.md are generated from it (`npm run docs`: scripts/gen-config-docs.ts), so every
 * description here is also user documentation.
 *
 * The field shapes are here; the checks that need more than one field (a pin the board does not
 * have, two components on one pin, an HC-SR04 without PingFirmata...) are in checks.ts, run as
 * superRefine checks. Every check names the field path and the fix.
 */
import { z } from 'zod';
import { boardKinds, idSchema, quantities, quantityNames } from '@stemlab/protocol';
import { checkGateway, checkKit, describeValue } from './checks.ts';
import { logLevels } from '@stemlab/protocol/log';

// ---------------------------------------------------------------------------------------------
// Value types
// ---------------------------------------------------------------------------------------------

/** An id that becomes an MQTT topic segment (protocol's one id rule), titled for the config docs. */
const slug = (what: string) => idSchema(what).meta({ title: 'slug' });

const label = z.string().min(1).max(120).optional().describe('A name for people (the dashboard, reports); ids stay machine-friendly.');

/** A pin as people write it: a number (9) or an analog pin ("A0"); resolved against the kit's board. */
const notAPin = (iss: { input?: unknown }) =>
  iss.input === undefined
    ? 'required: a digital pin number such as 9, or an analog pin such as "A0"'
    : `${JSON.stringify(iss.input)} is not a pin; write a digital pin as a number (9) or an analog pin as "A0"`;
const pin = z
  .union([z.number().int({ error: notAPin }).min(0, { error: notAPin }), z.string().regex(/^[Aa]?[0-9]+$/, { error: notAPin })], { error: notAPin })
  .meta({ title: 'pin', description: 'A digital pin number (e.g. 9) or an analog pin written "A0".."A15".' });
export type Pin = z.infer<typeof pin>;

const degrees = z.number().min(0).max(180);
const servoRange = z
  .tuple([degrees, degrees])
  .refine(([min, max]) => min < max, { error: 'write the range as [min, max] with min below max, e.g. [0, 180]' })
  .meta({ title: 'degrees [min, max]' });

const ms = (min: number, max: number) => z.number().int().min(min).max(max);

const usbId = (what: string) =>
  z
    .string({
      error: (iss) =>
        iss.input === undefined
          ? `required: the ${what} as 4 hex digits, e.g. '2341'`
          : `write the ${what} in quotes as 4 hex digits, e.g. '0043' (unquoted, YAML reads 0043 as the number 43)`,
    })
    .regex(/^[0-9a-fA-F]{4}$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a USB ${what}; write 4 hex digits, e.g. '2341'` })
    // serialport reports ids in lowercase; normalise once here so matching is a plain comparison.
    .overwrite((s) => s.toLowerCase())
    .meta({ title: 'USB id (4 hex digits)' });

const bcm = z
  .number({ error: (iss) => (iss.input === undefined ? 'required: the BCM GPIO number (0–27)' : 'a BCM GPIO number is a whole number from 0 to 27') })
  .int()
  .min(0, { error: 'BCM GPIO numbers run from 0 to 27; use the BCM number (GPIO17), not the physical header pin (11)' })
  .max(27, { error: 'BCM GPIO numbers run from 0 to 27; use the BCM number (GPIO17), not the physical header pin (11)' })
  .meta({ title: 'BCM number (0–27)' });

// ---------------------------------------------------------------------------------------------
// Kits: how to find the board, its firmware, limits and components
// ---------------------------------------------------------------------------------------------

export const firmwares = ['StandardFirmata', 'PingFirmata'] as const;
export type Firmware = (typeof firmwares)[number];


const finderSchema = z
  .strictObject({
    serialNumber: z
      .string({ error: (iss) => (iss.input === undefined ? undefined : "write the serial number in quotes, e.g. serialNumber: '85736323838351F0E1A1'") })
      .min(1)
      .optional()
      .describe('USB serial number of the board (`stemlab agent doctor` lists them). Tried first; it follows the kit to any USB socket.'),
    vendorId: usbId('vendor id').optional().describe("USB vendor id, e.g. '2341' (Arduino). With productId, tried when there is no serial number."),
    productId: usbId('product id').optional().describe("USB product id, e.g. '0043' (Uno) or '0042' (Mega 2560)."),
    path: z.string().min(1).optional().describe('Serial port path, e.g. /dev/ttyACM0: the fallback when no port matches by USB id; it changes when the kit moves sockets.'),
    sim: slug('simulated board name')
      .optional()
      .describe('Name of a simulated board (`stemlab sim board`, `stemlab demo`) instead of a real one; cannot be combined with the other fields.'),
  })
  .superRefine((find, ctx) => {
    const real = (['serialNumber', 'vendorId', 'productId', 'path'] as const).filter((key) => find[key] !== undefined);
    if (find.sim !== undefined && real.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['sim'], message: `sim is for a simulated board and cannot be combined with ${real.join(', ')}; remove one or the other` });
    } else if (find.sim === undefined && real.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: "say how to find the board: serialNumber (best), vendorId + productId, path, or sim: NAME for a simulated board",
      });
    }
    if ((find.vendorId === undefined) !== (find.productId === undefined)) {
      const missing = find.vendorId === undefined ? 'vendorId' : 'productId';
      ctx.addIssue({ code: 'custom', path: [missing], message: `vendorId and productId go together; add ${missing} (an Arduino Uno is 2341:0043, a Mega 2560 is 2341:0042)` });
    }
  })
  .meta({
    title: 'finder',
    description:
      'How the agent finds the board: by serialNumber first, then by vendorId + productId, then by path; or sim: NAME for a simulated board.',
  });

const limitsSchema = z
  .strictObject({
    maxMotorSpeed: z.number().int().min(0).max(255).default(255).describe('Highest motor speed (PWM duty 0–255) any command may set; faster requests are clamped.'),
    servoRange: servoRange.default((): [number, number] => [0, 180]).describe('Servo angles [min, max] in degrees no command can go beyond, e.g. to protect a gripper.'),
  })
  .describe('Per-kit limits that no command (lesson, flow, teacher tool) can exceed.');

const kind = <T extends string>(type: T) => z.literal(type).describe('What the component is; decides which other fields apply.');
const base = {
  id: slug('component id').describe('Unique within the kit; becomes the device name in telemetry and usage topics.'),
  label,
};
const freq = (what: string) => ms(10, 60_000).default(25).describe(`How often ${what} is read, in ms.`);

const componentOptions = [
  z
    .strictObject({
      type: kind('led'),
      ...base,
      pin: pin.describe('The pin the LED (through its resistor) is on.'),
      pwm: z.boolean().default(false).describe('Dim the LED with PWM (brightness 0–255); needs a PWM pin.'),
    })
    .meta({ title: 'led', description: 'An LED on a digital pin.' }),
  z
    .strictObject({
      type: kind('button'),
      ...base,
      pin: pin.describe('The pin the button is on.'),
      pullup: z.boolean().default(false).describe("Use the board's internal pull-up (button wired to GND, no resistor)."),
      invert: z.boolean().default(false).describe('Swap pressed and released (a button wired to read high at rest).'),
      holdtime: ms(50, 60_000).default(500).describe('How long a press lasts before it counts as held, in ms.'),
    })
    .meta({ title: 'button', description: 'A push button or switch.' }),
  z
    .strictObject({
      type: kind('servo'),
      ...base,
      pin: pin.describe('The pin the servo signal wire is on.'),
      range: servoRange.optional().describe("This servo's angles [min, max]; within the kit's limits.servoRange, which is also the default."),
      startAt: degrees.optional().describe('Angle to move to when the kit starts; left where it is when absent.'),
    })
    .meta({ title: 'servo', description: 'A hobby servo (0–180°).' }),
  z
    .strictObject({
      type: kind('motor'),
      ...base,
      pins: z
        .strictObject({
          pwm: pin.describe('Speed pin (PWM), e.g. ENA of an L298N or PWMA of a TB6612.'),
          dir: pin.describe('Direction pin, e.g. IN1 / AIN1.'),
          cdir: pin.optional().describe('Counter-direction pin for three-pin drivers, e.g. IN2 / AIN2.'),
          brake: pin.optional().describe('Brake pin, where the driver has one.'),
        })
        .describe('The pins of the motor driver channel.'),
      invertPWM: z.boolean().default(false).describe('Invert the speed signal in reverse (drivers that need PWM inverted when dir is high).'),
    })
    .meta({ title: 'motor', description: 'A DC motor on a driver channel: a PWM speed pin and a direction pin.' }),
  z
    .strictObject({
      type: kind('analog-sensor'),
      ...base,
      pin: pin.describe('Analog input pin, e.g. "A0".'),
      threshold: z.number().int().min(0).max(1023).default(1).describe('Smallest change of the raw reading (0–1023) that counts as a change.'),
      freq: freq('the sensor'),
      scale: z
        .tuple([z.number(), z.number()])
        .optional()
        .describe('Map the raw 0–1023 reading linearly onto [low, high], e.g. [0, 14] for a pH probe or [0, 25] for a voltage divider.'),
      quantity: z
        .enum(quantityNames)
        .optional()
        .describe(`What the sensor measures, for lab experiments: ${quantityNames.map((q) => `${q} (${quantities[q].unit})`).join(', ')}. The value is in that unit, so it needs a \`scale\`.`),
    })
    .refine((sensor) => sensor.quantity === undefined || sensor.scale !== undefined, {
      path: ['scale'],
      error: 'a sensor with a quantity needs a scale mapping 0–5 V onto its unit, e.g. scale: [0, 14] for a pH probe',
    })
    .meta({ title: 'analog-sensor', description: 'Any sensor read as an analog value: light, sound, soil moisture, pH, voltage...' }),
  z
    .strictObject({
      type: kind('thermometer'),
      ...base,
      pin: pin.describe('Analog input pin, e.g. "A0".'),
      controller: z.enum(['LM35', 'TMP36']).default('LM35').describe('Which analog temperature sensor it is.'),
      freq: freq('the temperature'),
    })
    .meta({ title: 'thermometer', description: 'An analog temperature sensor.' }),
  z
    .strictObject({
      type: kind('proximity'),
      ...base,
      controller: z.literal('HCSR04').default('HCSR04').describe('The ultrasonic sensor model.'),
      pin: pin.describe('The pin TRIG and ECHO are wired to together (PingFirmata drives both from one pin).'),
      freq: freq('the distance'),
    })
    .meta({ title: 'proximity', description: "An HC-SR04 ultrasonic distance sensor; the kit's firmware must be PingFirmata." }),
  z
    .strictObject({
      type: kind('line-sensors'),
      ...base,
      pins: z.array(pin).min(1).max(8).describe('One pin per sensor, left to right; analog pins ("A0") read analog values, digital pins read on/off.'),
      freq: freq('the array'),
    })
    .meta({ title: 'line-sensors', description: 'A line-follower array of IR sensors (typically 3 or 5).' }),
  z
    .strictObject({
      type: kind('piezo'),
      ...base,
      pin: pin.describe('PWM pin the piezo buzzer is on.'),
    })
    .meta({ title: 'piezo', description: 'A piezo buzzer; plays tones, so it needs a PWM pin.' }),
  z
    .strictObject({
      type: kind('relay'),
      ...base,
      pin: pin.describe('The pin driving the relay module.'),
      // Johnny-Five calls this option `type`, a name taken here by the component type.
      contact: z.enum(['NO', 'NC']).default('NO').describe('NO: normally open (the load is off at rest); NC: normally closed.'),
    })
    .meta({ title: 'relay', description: 'A relay module switching a pump, lamp or fan.' }),
] as const;

export const componentTypes = componentOptions.map((option) => option.shape.type.value);

const componentSchema = z.discriminatedUnion('type', componentOptions, {
  error: (iss) =>
    iss.code === 'invalid_union' && 'note' in iss && iss.note === 'No matching discriminator'
      ? `${describeValue((iss.input as { type?: unknown } | undefined)?.type)} is not a component type; use one of ${componentTypes.join(', ')}`
      : undefined,
});

const kitFields = z.strictObject({
  id: slug('kit id').describe('Unique on this gateway; becomes the {kit} segment of kit/{kit}/state.'),
  label,
  board: z.enum(boardKinds).describe('Which Arduino the kit is built on.'),
  find: finderSchema,
  firmware: z.enum(firmwares).default('StandardFirmata').describe('The Firmata sketch uploaded to the board; an HC-SR04 needs PingFirmata.'),
  limits: limitsSchema.prefault({}),
  components: z.array(componentSchema).default(() => []).describe('What is wired to the board.'),
});
export type ParsedKit = z.output<typeof kitFields>;

export const kitSchema = kitFields
  .superRefine((kit, ctx) => checkKit(kit, ctx))
  .meta({ title: 'kit', description: 'One Arduino with what is wired to it, on a USB port of the gateway.' });

// ---------------------------------------------------------------------------------------------
// The Raspberry Pi's own GPIO lines
// ---------------------------------------------------------------------------------------------

const debounceMs = ms(0, 1000).default(20).describe('Ignore changes shorter than this (contact bounce), in ms.');

const gpioButton = z
  .strictObject({
    id: slug('GPIO line id').describe('Unique among the GPIO lines.'),
    label,
    bcm: bcm.describe('BCM number of the line (GPIO17 is 17).'),
    activeLow: z.boolean().default(true).describe('Pressed reads low (button wired to GND with a pull-up), the usual wiring.'),
    debounceMs,
  })
  .meta({ title: 'GPIO button', description: 'A button on the Pi header.' });

const gpioLed = z
  .strictObject({
    id: slug('GPIO line id').describe('Unique among the GPIO lines.'),
    label,
    bcm: bcm.describe('BCM number of the line.'),
    activeLow: z.boolean().default(false).describe('The LED lights when the line is low (wired to 3.3 V).'),
  })
  .meta({ title: 'GPIO LED', description: 'An LED on the Pi header.' });

const gpioSchema = z
  .strictObject({
    sim: z
      .boolean()
      .default(false)
      .describe(
        "Simulate the Pi header (a laptop, a classroom demo): the lines below go to a simulated chip. Only `stemlab agent` and `stemlab demo` provide one; on a real gateway leave it false, and the agent refuses to start without the Pi's GPIO rather than run its e-stop button on nothing.",
      ),
    buttons: z.array(gpioButton).default(() => []).describe('Buttons on the Pi header.'),
    leds: z.array(gpioLed).default(() => []).describe('LEDs on the Pi header, e.g. a status LED.'),
    estop: z
      .strictObject({
        label,
        bcm: bcm.describe('BCM number of the emergency-stop button.'),
        activeLow: z.boolean().default(true).describe('Pressed reads low, the usual wiring.'),
        debounceMs,
      })
      .optional()
      .describe('The emergency-stop button: stops every actuator of the gateway and latches until a teacher resets it.'),
  })
  .describe("The Raspberry Pi's own GPIO lines, by BCM number.");

// ---------------------------------------------------------------------------------------------
// The whole config
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// MQTT and the outbox of usage events
// ---------------------------------------------------------------------------------------------

const mqttSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Connect to the central broker. Off, the gateway still records usage in its outbox, to send when it is turned on.'),
    url: z
      .string()
      .regex(/^(mqtts?|wss?|tcp):\/\/[^\s]+$/, { error: "write the broker as a URL such as 'mqtt://central.example:1883' (mqtt, mqtts, ws or wss)" })
      .default('mqtt://127.0.0.1:1883')
      .describe('The central broker.'),
    clientId: z
      .string()
      .min(1)
      .max(128)
      .default('gw:{unit}:{gateway}')
      .describe('MQTT client id; {unit} and {gateway} are filled in. The session is persistent, so it must stay the same across restarts and be unique to this gateway.'),
    username: z.string().min(1).optional().describe('Broker user name (`stemlab provision gateway` prints it).'),
    password: z.string().min(1).optional().describe('Broker password; never logged, never sent by the `config` command.'),
    keepaliveS: z
      .number()
      .int()
      .min(5)
      .max(600)
      .default(30)
      .describe('MQTT keepalive in seconds: the broker publishes the will (offline) about 1.5× this after the gateway vanishes.'),
    reconnectMs: ms(100, 600_000)
      .default(2000)
      .describe('First wait before trying to reach the broker again, in ms; doubles on each failure up to reconnectMaxMs, each wait a random part of it (so gateways do not all come back in the same second). The gateway keeps working offline meanwhile.'),
    reconnectMaxMs: ms(100, 3_600_000).default(60_000).describe('Longest wait between attempts to reach the broker, in ms; at least reconnectMs.'),
    inflight: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(64)
      .describe('Usage events published and not yet acknowledged (PUBACK) at once; more is faster on slow links, but more may arrive twice after a cut.'),
    telemetryPerSecond: z
      .number()
      .min(0)
      .max(100)
      .default(2)
      .describe('Most sensor readings per second published for each device (QoS 0); extra readings are dropped, the latest always follows. 0 turns telemetry off.'),
    allowEstopReset: z
      .boolean()
      .default(false)
      .describe("Let the central reset this gateway's emergency stop over MQTT (the `estop-reset` command). Off by default: a reset is a teacher's decision in the room, made on the console or with `stemlab agent estop --reset`; pressing the e-stop over MQTT is always allowed."),
  })
  .describe('The connection to the central broker: birth and will, kit states, usage events, telemetry and commands.');

// Event volume, for the defaults below. A busy robot club: ~10 kits of ~12 devices (the kit and
// its motors, servo, LEDs, sensors: 130 devices), 2 meetings a day, 6 days a week. A device's
// usage session ends after it idles, so a device in a 2-hour meeting has ~5 sessions, each a
// start and an end event: 130 × 5 × 2 × 12 meetings ≈ 15,600 events a week; round it up to
// 20,000 a week, ~90,000 in a month offline. A stored event is ~1 KB in SQLite (its JSON and
// indexes), so 200,000 events are ~200 MB: a month offline of even the busiest room twice over,
// and a small part of a 16 GB SD card.
const outboxSchema = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .optional()
      .describe('The outbox database (SQLite); default `{dataDir}/outbox.sqlite`. It must survive reboots.'),
    maxEvents: z
      .number()
      .int()
      .min(100)
      .max(10_000_000)
      .default(200_000)
      .describe(
        'Most usage events kept while the broker is unreachable (~1 KB each on disk); when full, the oldest are evicted first and an outbox.evicted event reports how many.',
      ),
    maxAgeDays: z
      .number()
      .min(1)
      .max(3650)
      .default(90)
      .describe('Usage events older than this (a quarter: the report that needed them is done) are evicted, and reported as evicted.'),
  })
  .describe('The durable outbox: usage events are on disk before they are published and leave only after the broker acknowledges them.');

// ---------------------------------------------------------------------------------------------
// Node-RED, hosted by the agent for the classroom's lessons
// ---------------------------------------------------------------------------------------------

export const editorLanguages = ['vi', 'en-US'] as const;

const noderedSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Host the Node-RED editor and the lesson flows in the agent, on its HTTP port.'),
    editorPath: z
      .string()
      .regex(/^\/(?:[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*\/?)?$/, { error: "write the editor's path as '/' or '/editor' (letters, digits, '-', '_', '.')" })
      .refine((p) => !/^\/(api\/v1|healthz|lesson-api)(\/|$)/.test(p), { error: '/api/v1, /healthz and /lesson-api are taken by the local API and the flows; choose another path' })
      .default('/')
      .describe("Where the editor answers on the agent's HTTP port; its admin API (/auth/token, /flows...) lives under it too. The flows' own HTTP endpoints are under /lesson-api."),
    allowFunctionNode: z
      .boolean()
      .default(false)
      .describe('Offer the function node (JavaScript run on the gateway). Off by default; a teacher who teaches JavaScript turns it on. exec, file and watch nodes are never offered.'),
    networkNodes: z
      .boolean()
      .default(false)
      .describe(
        "Offer the network nodes (http, mqtt, websocket, tcp, udp). Off by default: they reach the agent's local API, whose e-stop reset needs no log-in, and the internet; a teacher of an IoT lesson turns them on.",
      ),
    lang: z.enum(editorLanguages).default('vi').describe("The editor's language for a browser that has not chosen one (Node-RED's own texts are partly translated to Vietnamese; the STEMLab nodes and lessons fully)."),
    students: z
      .number()
      .int()
      .min(0)
      .max(200)
      .default(12)
      .describe('How many student accounts (student-1, student-2...) `stemlab agent accounts` creates beside the teacher account.'),
    sessionHours: z
      .number()
      .min(1)
      .max(168)
      .default(8)
      .describe('How long a log-in to the editor lasts, in hours: short, because classroom computers are shared.'),
  })
  .describe("The Node-RED editor and runtime hosted by the agent (its files, flows and accounts are in {dataDir}/nodered).");

export const rooms = ['robot-club', 'lab', 'classroom'] as const;
export { logLevels };

const configFields = z.strictObject({
  $schema: z.string().optional().describe('Path or URL of docs/agent-config.schema.json, for editors; ignored by the agent.'),
  unit: slug('unit id').describe("The school unit this gateway belongs to, e.g. 'thcs-q1-01'; the {unit} segment of every MQTT topic."),
  gateway: slug('gateway id').describe("This gateway, unique within the unit, e.g. 'robot-club-1'; the {gateway} segment of every MQTT topic."),
  label,
  room: z.enum(rooms).describe('What kind of room the gateway serves.'),
  kits: z.array(kitSchema).default(() => []).describe('The Arduino kits plugged into this gateway.'),
  gpio: gpioSchema.prefault({}),
  safety: z
    .strictObject({
      watchdogMs: ms(50, 10_000)
        .default(500)
        .describe('Dead-man window: motors and servos driven by a lesson stop when no fresh command arrives within it, in ms. At least 400: the lesson nodes re-send a running motion three times per window and at most 200 ms apart (the bridge tells them the window), and a shorter window would stop motors between re-sends.'),
      driverIdleMs: ms(1000, 3_600_000)
        .default(15_000)
        .describe("One driver per kit: the first program (a flow's tab, the demo, a console user) to move a kit's actuators holds it; another is refused (KIT_BUSY) until the holder has sent nothing for this long, in ms, or a teacher hands the kit over on the console."),
    })
    .prefault({})
    .describe('Safety settings for every kit of the gateway.'),
  connection: z
    .strictObject({
      readyTimeoutMs: ms(1000, 60_000)
        .default(10_000)
        .describe('How long a board may take to answer as Firmata after its port opens (a real Uno boots in ~2 s), in ms.'),
      heartbeatMs: ms(100, 60_000)
        .default(1000)
        .describe('How often the agent checks that each board still answers; two missed answers mark it stalled and reset it, in ms.'),
      retryMinMs: ms(50, 60_000).default(250).describe('First wait before reconnecting an unplugged or faulty kit, in ms; doubles on each failure.'),
      retryMaxMs: ms(100, 600_000).default(10_000).describe('Longest wait between reconnection attempts, in ms.'),
    })
    .prefault({})
    .describe('How the agent keeps its kits connected.'),
  http: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1').describe('Address of the local API (and, later, the Node-RED editor); 0.0.0.0 to reach it from the room.'),
      port: z.number().int().min(0).max(65_535).default(1880).describe('Port of the local API; 0 takes a free one.'),
      allowedHosts: z
        .array(
          z
            .string()
            .regex(/^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$|^[0-9a-fA-F:]+$/, {
              error: "write a host name or an IP address without port or scheme, e.g. 'robotclub.school.edu.vn' or '192.168.1.20'",
            }),
        )
        .default([])
        .describe(
          "Host names and addresses browsers may use to reach the agent, besides those always allowed: localhost, 127.0.0.1, ::1, this machine's host name (and NAME.local) and its own IP addresses. A request whose Host header names anything else is refused (HOST_FORBIDDEN), which stops DNS-rebinding pages. Add the name the school's DNS gives the gateway here.",
        ),
      sessionHours: z.number().min(1).max(24).default(8).describe('How long a log-in to the console (and the robot view) lasts, in hours.'),
    })
    .prefault({})
    .describe("The agent's local HTTP API and pages: status, commands, e-stop, self-test, the room console. See docs/agent-security.md for who may do what."),
  usage: z
    .strictObject({
      idleMs: ms(1000, 3_600_000)
        .default(60_000)
        .describe('A usage session ends after this long without activity (at its last activity, so the wait is not counted), in ms. See docs/usage-rules.md.'),
    })
    .prefault({})
    .describe('How usage is counted (docs/usage-rules.md).'),
  log: z
    .strictObject({ level: z.enum(logLevels).default('info').describe('Lowest level logged.') })
    .prefault({})
    .describe('Logging.'),
  dataDir: z
    .string()
    .min(1)
    .default('./data')
    .describe("Directory of the agent's state (the outbox of usage events); relative to the working directory. Put it on the SD card, not on tmpfs."),
  mqtt: mqttSchema.prefault({}),
  outbox: outboxSchema.prefault({}),
  nodered: noderedSchema.prefault({}),
});
export type ParsedConfig = z.output<typeof configFields>;

export const agentConfigSchema = configFields
  .superRefine((config, ctx) => checkGateway(config, ctx))
  .meta({
    title: 'STEMLab edge agent config',
    description: 'The config of one Raspberry Pi gateway: `stemlab agent --config FILE` (YAML or JSON).',
  });

export type AgentConfigInput = z.input<typeof agentConfigSchema>;
/** A validated config. Configs are validated once and frozen, hence read-only all the way down. */
export type AgentConfig = DeepReadonly<z.output<typeof agentConfigSchema>>;
export type KitConfig = AgentConfig['kits'][number];
export type KitFinder = KitConfig['find'];
export type KitLimits = KitConfig['limits'];
export type ComponentConfig = KitConfig['components'][number];
export type ComponentType = ComponentConfig['type'];
export type ComponentOf<T extends ComponentType> = Extract<ComponentConfig, { type: T }>;
export type GpioConfig = AgentConfig['gpio'];
export type Room = (typeof rooms)[number];
export type { LogLevel } from '@stemlab/protocol/log';

export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly unknown[]
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;


// The pins of a component and the cross-field checks live in checks.ts.
export { componentPins, crossFieldRules, firmwareOptions, kitPin, type ComponentPin, type PinUse } from './checks.ts';
