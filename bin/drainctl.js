#!/usr/bin/env node
// Entry point for `npx drainctl`: the JavaScript built from src/ when the package is installed
// (`npm ci` runs `prepare`, which runs `npm run build`). Source maps are on before any of it
// loads, so a stack trace names the TypeScript file and line. `npm run dev` runs the sources.
import { existsSync } from 'node:fs';

process.setSourceMapsEnabled(true);
const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'drainctl: not built (no dist/): run `npm run build` in the checkout (`npm ci` does it)\n',
  );
  process.exit(1);
}
await import(main.href);
