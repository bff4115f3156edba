#!/usr/bin/env -S node --single-threaded-gc
// --single-threaded-gc: V8 collects garbage on the main thread instead of helper threads, which on
// a small machine compete with the work for its few cores. Measured on the central (docs/scaling.md,
// `stemlab bench --only broker`): a quarter less memory per held connection and no loss of speed.
// A V8 flag must be given at launch (NODE_OPTIONS refuses it, and setting it at run time crashes
// V8), hence here. The agent's supervised worker runs without it (cli/commands/agent.ts).
// The `stemlab` command. The sources are TypeScript run through tsx, so a gateway needs no
// build step after `npm install`. tsconfig.json is for the type checker only: its `paths`
// point at type declarations, which must not be loaded at run time.
import { register } from 'tsx/esm/api';

register({ tsconfig: false });
const { main } = await import('../cli/main.ts');
// Exit when the command is done: some libraries leave timers behind (Node-RED keeps its log-in
// session timer after RED.stop()), and a finished command must not hang.
process.exit(await main(process.argv.slice(2)));
