// Prints docs/cli.md (cli/docs.ts) as JSON [{path, content}], loading the commands as
// bin/stemlab.js does: tsx without tsconfig.json, whose `paths` point at type declarations only.
import { register } from 'tsx/esm/api';

register({ tsconfig: false });
const { generateCliDocs } = await import('../cli/docs.ts');
process.stdout.write(JSON.stringify(await generateCliDocs()));
// Some commands' modules leave timers behind once loaded; the pages are written.
process.exit(0);
