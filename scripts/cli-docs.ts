// Writes docs/cli.md from the CLI's own help texts (see apps/cli/src/cli-docs.ts).
import { writeFileSync } from 'node:fs';
import { renderCliDocs } from '../apps/cli/src/cli-docs.js';

writeFileSync('docs/cli.md', await renderCliDocs());
console.log('wrote docs/cli.md');
