/**
 * Files drainctl ships beside its code (package.json, the demo's workflow), found from where
 * this module runs: `src/config/` in a checkout, `dist/src/config/` once built, either under
 * `node_modules/drainctl/` when installed. The nearest package.json named `drainctl` above it
 * marks the package's root, so the same code finds them from the sources and from the build.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DrainctlError } from '../errors/index.js';

interface PackageJson {
  name?: string;
  version: string;
}

let root: { dir: string; manifest: PackageJson } | undefined;

function packageRoot(): { dir: string; manifest: PackageJson } {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
      if (manifest.name === 'drainctl') {
        root = { dir, manifest };
        return root;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new DrainctlError(
        'INSTALL_BROKEN',
        `no package.json of drainctl in any directory above ${fileURLToPath(import.meta.url)}`,
        { hint: 'reinstall drainctl (npm ci in a checkout)' },
      );
    }
    dir = parent;
  }
}

/** The absolute path of a file shipped with drainctl, e.g. `workflows/demo.yaml`. */
export function packageFile(relativePath: string): string {
  return join(packageRoot().dir, relativePath);
}

/** This drainctl's version, from its package.json. */
export function drainctlVersion(): string {
  return packageRoot().manifest.version;
}
