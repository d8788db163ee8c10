/**
 * This drainctl's version (package.json): journaled with each run's plan, so a run resumed by
 * another version can say which one started it.
 */
import { readFileSync } from 'node:fs';

export const DRAINCTL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
