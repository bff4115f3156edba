#!/usr/bin/env node
// The `stemlab` command. The sources are TypeScript run through tsx, so a
// gateway needs no build step after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
