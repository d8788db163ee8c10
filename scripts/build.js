/**
 * Builds dist/ from src/ — what `npm ci` runs (`prepare` → `npm run build`), then tsc writes the
 * library's declarations (tsconfig.build.json). esbuild bundles the CLI (dist/cli/main.js) and the
 * library (dist/index.js) with their dependencies, split at every dynamic import, so a command
 * loads one small file and, on first use, the chunk of the SDK, the emulator or the demo it
 * needs: Node reads the Alibaba Cloud SDKs, over a thousand files each, several times faster
 * from one chunk. Source maps point every line back to src/. ssh2 (native add-ons) and pino
 * (worker files) stay in node_modules.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
// Built aside and swapped in whole: a drainctl started meanwhile (the tests spawn many while
// `npm pack` rebuilds) loads the old build or the new one, never a half-written one.
const next = join(root, `dist.next-${process.pid}`);
const old = join(root, `dist.old-${process.pid}`);
rmSync(next, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts', 'src/index.ts'],
  outbase: 'src',
  outdir: next,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.12',
  external: ['ssh2', 'pino', 'pino-pretty'],
  // The bundled CommonJS packages call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __drainctlRequire } from 'node:module'; const require = __drainctlRequire(import.meta.url);",
  },
  // Whitespace and comments out (the maps keep every line and name): the ECS SDK's Chinese doc
  // comments made its 6 MB chunk a two-byte string in the heap, 13 MB for as long as it runs.
  minifyWhitespace: true,
  sourcemap: 'linked',
  // A trace needs file and line only: without the sources the maps, read at start-up, stay small.
  sourcesContent: false,
  logLevel: 'warning',
});

const dist = join(root, 'dist');
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
