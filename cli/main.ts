import { UsageError } from './args.ts';

/** One `stemlab` sub-command: its one-line summary and what it runs. */
export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

// Each command is loaded only when it runs, so `stemlab --help` does not load Node-RED or a broker.
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: {
    summary: 'run the simulated classroom: kits, pins changing (Ctrl-C or --duration to stop)',
    load: async () => (await import('./commands/demo.ts')).demo,
  },
  central: {
    summary: 'the MQTT broker and the usage ledger (--config FILE)',
    load: async () => (await import('./commands/central.ts')).central,
  },
  ingest: {
    summary: 'the ingest as a client of another MQTT broker: Mosquitto, EMQX, HiveMQ (--config FILE)',
    load: async () => (await import('./commands/ingest.ts')).ingest,
  },
  'provision gateway': {
    summary: "create or rotate a gateway's broker credentials (printed once)",
    load: async () => (await import('./commands/provision.ts')).provisionGateway,
  },
  'user add': {
    summary: 'a person account for the central HTTP API (viewer, teacher, technician, admin)',
    load: async () => (await import('./commands/user.ts')).userAdd,
  },
  'user list': { summary: 'the people accounts of the central HTTP API', load: async () => (await import('./commands/user.ts')).userList },
  'user set': { summary: "change an account: role, unit, disable/enable, a new password (printed once)", load: async () => (await import('./commands/user.ts')).userSet },
  'user token': { summary: "a session token for an account, to log in to the broker from a script (printed once)", load: async () => (await import('./commands/user.ts')).userToken },
  report: {
    summary: 'the quarterly usage report (--quarter 2025Q3 --format csv|json|xlsx)',
    load: async () => (await import('./commands/report.ts')).report,
  },
  agent: {
    summary: 'the edge agent of one gateway (--config FILE)',
    load: async () => (await import('./commands/agent.ts')).agent,
  },
  'agent estop': {
    summary: 'emergency stop on the running agent; --reset to release it',
    load: async () => (await import('./commands/agent-estop.ts')).agentEstop,
  },
  'agent accounts': {
    summary: "create the gateway's Node-RED editor accounts (teacher, students)",
    load: async () => (await import('./commands/agent-accounts.ts')).agentAccounts,
  },
  'agent doctor': {
    summary: 'list serial ports, recognise boards, match them to the configured kits',
    load: async () => (await import('./commands/agent-tools.ts')).agentDoctor,
  },
  'agent selftest': {
    summary: 'check that every configured component answers',
    load: async () => (await import('./commands/agent-tools.ts')).agentSelftest,
  },
  'lesson list': {
    summary: 'the robot-club lessons (--en for English)',
    load: async () => (await import('./commands/lesson.ts')).lessonList,
  },
  'lesson deploy': {
    summary: 'deploy a lesson to gateways over MQTT (a reply per gateway), or --rollback',
    load: async () => (await import('./commands/lesson.ts')).lessonDeploy,
  },
  'lesson check': {
    summary: "check a student's flow against a lesson on the simulator (exit 0 pass, 1 fail, 2 cannot check)",
    load: async () => (await import('./commands/lesson.ts')).lessonCheck,
  },
  'sim fleet': {
    summary: 'a quarter of the whole fleet in minutes (seeded), with its truth and the report to compare',
    load: async () => (await import('./commands/sim-fleet.ts')).simFleet,
  },
  'sim board': {
    summary: 'a simulated Arduino (StandardFirmata + PING_READ) on a pseudo-terminal',
    load: async () => (await import('./commands/sim-board.ts')).simBoard,
  },
  bench: {
    summary: 'run the benchmarks and print their figures (--json for machines)',
    load: async () => (await import('./commands/bench.ts')).bench,
  },
};

/** Every command's name and summary, and a way to load it (for docs/cli.md). */
export function commandEntries(): Array<{ name: string; summary: string; load: () => Promise<Command> }> {
  return Object.entries(commands).map(([name, c]) => ({ name, ...c }));
}

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, c]) => `  stemlab ${name.padEnd(width)}  ${c.summary}`);
  return ['STEMLab Edge: smart classrooms, lab centres and STEM robot clubs', '', 'Commands:', ...lines, '', 'Run `stemlab COMMAND --help` for its options.'].join('\n');
}

/** Runs the command line; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(usage());
    return 0;
  }
  // Commands are one or two words ("demo", "sim board").
  const two = argv.slice(0, 2).join(' ');
  const name = commands[two] ? two : argv[0]!;
  const entry = commands[name];
  if (!entry) {
    console.error(`stemlab: unknown command '${argv.join(' ')}'\n\n${usage()}`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.run(argv.slice(name.split(' ').length));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return err.exitCode;
    }
    console.error(`stemlab ${name}: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}
