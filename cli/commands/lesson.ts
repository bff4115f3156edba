import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { connectAsync } from 'mqtt';
import { catalogue } from '@stemlab/flows';
import { commandReplySchema, topics, type CommandReply } from '@stemlab/protocol';
import type { Command } from '../main.ts';
import { numberFlag, parseCommand, UsageError } from '../args.ts';
import { brokerLogin, brokerLoginFlags, brokerLoginHelp, brokerRefusal } from '../broker-login.ts';

export const lessonList: Command = {
  summary: 'the robot-club lessons',
  async run(argv) {
    const lang = argv.includes('--en') ? 'en' : 'vi';
    for (const l of [...catalogue.lessons].sort((a, b) => a.order - b.order)) {
      console.log(`${String(l.order).padStart(2)}. ${`${l.level.toUpperCase()} ${l.number}`.padEnd(8)} ${l.id.padEnd(17)} ${l.title[lang]}  (${l.components.join(', ')})`);
    }
    return 0;
  },
};

const deployHelp = `Usage: stemlab lesson deploy LESSON --to UNIT/GATEWAY[,UNIT/GATEWAY...] --broker URL
                             [--variant starter|solution] [--kit KIT | --kits K1,K2,...] [--rollback]
                             [--username U (--password P | --token T)] [--timeout SECONDS]

A teacher's "deploy this lesson to every robot in the club": sends the lesson-deploy command over
MQTT to each gateway, which installs the lesson's flow in its Node-RED (replacing only that
lesson's tab), and prints each gateway's reply. --kits deploys one tab per robot
(each its own copy of the lesson, on its kit). --rollback puts back each gateway's previous flows.
The command expires after --timeout, so a gateway that is offline does not run it hours later.

The broker takes commands only from a logged-in teacher or technician, for their own unit's
gateways (unless anonymous access is on and allows them):
${brokerLoginHelp}`;

const Options = z.object({
  to: z.string({ message: 'required: the gateways, e.g. thcs-q1-01/robot-club-1' }).regex(/^[a-z0-9-]+\/[a-z0-9-]+(,[a-z0-9-]+\/[a-z0-9-]+)*$/, 'expected UNIT/GATEWAY[,UNIT/GATEWAY...]'),
  broker: z.string({ message: 'required: the broker URL, e.g. mqtt://central.example:1883' }).regex(/^(mqtts?|wss?|tcp):\/\/\S+$/, 'expected a broker URL such as mqtt://127.0.0.1:1883'),
  variant: z.enum(['starter', 'solution']).default('starter'),
  kit: z.string().optional(),
  kits: z.string().regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, 'expected KIT[,KIT...], e.g. robot-1,robot-2').optional(),
  rollback: z.boolean().default(false),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  timeout: numberFlag('a number of seconds').default(15),
});

export const lessonDeploy: Command = {
  summary: 'deploy a lesson to gateways over MQTT, or roll it back',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(deployHelp);
      return 0;
    }
    const flags = {
      to: { type: 'string' },
      broker: { type: 'string' },
      variant: { type: 'string' },
      kit: { type: 'string' },
      kits: { type: 'string' },
      rollback: { type: 'boolean' },
      ...brokerLoginFlags,
      timeout: { type: 'string' },
    } as const;
    const { values, positionals } = parseCommand('lesson deploy', argv, flags, Options);
    const lesson = positionals[0];
    if (!values.rollback && (!lesson || !catalogue.lessons.some((l) => l.id === lesson))) {
      throw new UsageError(`stemlab lesson deploy: name a lesson: ${catalogue.lessons.map((l) => l.id).join(', ')}`);
    }
    const targets = values.to.split(',').map((t) => {
      const [unit, gateway] = t.split('/') as [string, string];
      return { unit, gateway };
    });
    const name = values.rollback ? 'lesson-rollback' : 'lesson-deploy';
    const by = `stemlab lesson deploy (${process.env.USER ?? 'teacher'})`;
    const args = values.rollback ? { by } : { lesson, variant: values.variant, by, ...(values.kit ? { kit: values.kit } : {}), ...(values.kits ? { kits: values.kits.split(',') } : {}) };
    const login = brokerLogin('lesson deploy', values);
    const client = await connectAsync(values.broker, {
      clientId: `teacher-tool-${randomUUID().slice(0, 8)}`,
      clean: true,
      reconnectPeriod: 0,
      ...(login ?? {}),
    }).catch((err: unknown) => {
      throw brokerRefusal('lesson deploy', values.broker, login, err);
    });
    const replies = new Map<string, CommandReply>();
    /** Targets whose reply topic the broker refused (below). */
    const refused = new Set<string>();
    const requestIds = new Map(targets.map((t) => [`${t.unit}/${t.gateway}`, randomUUID()]));
    const done = new Promise<void>((resolve) => {
      client.on('message', (topic, payload) => {
        const target = targets.find((t) => topics.reply(t.unit, t.gateway, name) === topic);
        let json: unknown;
        try {
          json = JSON.parse(payload.toString());
        } catch {
          return; // not a reply of ours
        }
        const parsed = commandReplySchema.safeParse(json);
        if (!target || !parsed.success) return;
        const key = `${target.unit}/${target.gateway}`;
        if (parsed.data.requestId !== requestIds.get(key)) return;
        replies.set(key, parsed.data);
        if (replies.size === targets.length - refused.size) resolve();
      });
    });
    // A reply topic the broker will not let us read (0x80) is a gateway we may not command: say so
    // now rather than wait for a reply that cannot come (the command itself would be dropped).
    const granted = await client.subscribeAsync(targets.map((t) => topics.reply(t.unit, t.gateway, name)), { qos: 1 }).then(
      (grants) => grants.map((g) => g.qos),
      (err: unknown) => (err as { packet?: { granted?: number[] } }).packet?.granted ?? targets.map(() => 128),
    );
    targets.forEach((t, i) => granted[i] === 128 && refused.add(`${t.unit}/${t.gateway}`));
    const expiresAt = Date.now() + values.timeout * 1000;
    const reachable = targets.filter((t) => !refused.has(`${t.unit}/${t.gateway}`));
    for (const t of reachable) {
      const request = { requestId: requestIds.get(`${t.unit}/${t.gateway}`), args, expiresAt };
      await client.publishAsync(topics.command(t.unit, t.gateway, name), JSON.stringify(request), { qos: 1 });
    }
    if (reachable.length > 0) await Promise.race([done, new Promise((resolve) => setTimeout(resolve, values.timeout * 1000))]);
    await client.endAsync();
    let failures = 0;
    for (const t of targets) {
      const key = `${t.unit}/${t.gateway}`;
      const reply = replies.get(key);
      if (refused.has(key)) {
        failures++;
        console.log(
          `${key}: not allowed: ${login ? `'${login.username}' may command only the gateways of its own unit (a teacher or technician of ${t.unit} may; the department's accounts only read)` : 'anonymous clients may not command it here: log in with --username and --password (or --token)'}; nothing sent`,
        );
      } else if (reply?.status === 'ok') console.log(`${key}: ok ${JSON.stringify(reply.result ?? {})}`);
      else {
        failures++;
        // Without a log-in the broker may have dropped the command (MQTT 3.1.1 cannot say so): by
        // default anonymous clients may read but not command, even with anonymous access on.
        const anonymousHint = login ? '' : '; or it was dropped: without a log-in, commands need the central\'s security.anonymous to allow them (by default they may not): log in with --username and --password (or --token)';
        console.log(`${key}: ${reply ? `${reply.code}: ${reply.message}` : `no reply within ${values.timeout} s (offline? the command expires, it will not run later${anonymousHint})`}`);
      }
    }
    return failures === 0 ? 0 : 1;
  },
};

const checkHelp = `Usage: stemlab lesson check LESSON FLOW.json [--lang vi|en] [--json] [--seed N]

Runs a student's flow (exported from the Node-RED editor) against the lesson's automatic check:
in a real Node-RED with the STEMLab palette, over the agent, on a simulated kit (and, for robot
lessons, the simulated robot in the lesson's arena), in simulated time, faster than real time.
Judges what the hardware did, not how the flow looks. Prints the verdict and what to fix.

  --lang vi|en   the language of the feedback (default vi)
  --json         the verdict, the findings and the trace (pins, commands, events, path) as JSON
  --seed N       the seed of the scenario's random choices (default 1): same seed, same verdict

Exit code: 0 pass, 1 fail (not yet), 2 cannot check (not a flow, a refused or unknown node,
an unknown lesson).`;

const CheckOptions = z.object({
  lang: z.enum(['vi', 'en'], { message: "expected 'vi' or 'en'" }).default('vi'),
  json: z.boolean().default(false),
  seed: numberFlag('a whole number').refine(Number.isInteger, 'expected a whole number').default(1),
});

export const lessonCheck: Command = {
  summary: "check a student's flow against a lesson on the simulator (exit 0 pass, 1 fail, 2 cannot check)",
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(checkHelp);
      return 0;
    }
    const flags = { lang: { type: 'string' }, json: { type: 'boolean' }, seed: { type: 'string' } } as const;
    const { values, positionals } = parseCommand('lesson check', argv, flags, CheckOptions);
    const [lesson, file] = positionals;
    if (!lesson || !file) throw new UsageError('stemlab lesson check: name a lesson and a flow file, e.g. stemlab lesson check blink my-flow.json\nSee: stemlab lesson check --help');
    const { checkLesson, parseFlowText } = await import('@stemlab/robot-curriculum');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`stemlab lesson check: cannot read ${file}: ${(err as Error).message}`);
    }
    const parsed = parseFlowText(text);
    const result =
      'error' in parsed
        ? {
            lesson,
            status: 'invalid' as const,
            exitCode: 2 as const,
            seed: values.seed,
            message: values.lang === 'vi' ? `Tệp ${file} không phải JSON hợp lệ (${parsed.error}): xuất lại luồng từ Node-RED (Export ▸ Copy to clipboard).` : `${file} is not valid JSON (${parsed.error}): export the flow again from Node-RED (Export ▸ Copy to clipboard).`,
            findings: [],
            refused: { code: 'FLOW_INVALID', message: `not valid JSON: ${parsed.error}` },
          }
        : await checkLesson(lesson, parsed.flow, { seed: values.seed, lang: values.lang });
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else {
      console.log(result.message);
      if (result.simulatedMs !== undefined) console.log(`(seed ${result.seed}; ${(result.simulatedMs / 1000).toFixed(1)} s simulated in ${((result.wallMs ?? 0) / 1000).toFixed(1)} s)`);
    }
    return result.exitCode;
  },
};
