#!/usr/bin/env node
// Runs the build (dist/, made by `npm run build`; `npm ci` builds it through the prepare script).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('chain: dist/ is missing: this checkout has not been built. Run npm run build (npm ci does it too).\n');
  process.exit(1);
}
const { main: runMain } = await import(main.href);
process.exitCode = await runMain(process.argv);
