#!/usr/bin/env node
// `warden stdio` loads only the small shim bundle; everything else loads the CLI.
import { existsSync } from 'node:fs';

const bundle = process.argv[2] === 'stdio' ? 'stdio.mjs' : 'warden.mjs';
const url = new URL(`../dist/cli/${bundle}`, import.meta.url);
if (!existsSync(url)) {
  process.stderr.write('warden: the build output is missing; run: npm run build\n');
  process.exit(1);
}
if (bundle === 'stdio.mjs') process.argv.splice(2, 1);
await import(url.href);
