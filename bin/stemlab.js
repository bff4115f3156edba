#!/usr/bin/env node
// The `stemlab` command. The sources are TypeScript run through tsx, so a gateway needs no
// build step after `npm install`. tsconfig.json is for the type checker only: its `paths`
// point at type declarations, which must not be loaded at run time.
import { register } from 'tsx/esm/api';

register({ tsconfig: false });
const { main } = await import('../cli/main.ts');
// Exit when the command is done: some libraries leave timers behind (Node-RED keeps its log-in
// session timer after RED.stop()), and a finished command must not hang.
process.exit(await main(process.argv.slice(2)));
