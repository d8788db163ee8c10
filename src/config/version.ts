/**
 * This drainctl's version (package.json): journaled with each run's plan, so a run resumed by
 * another version can say which one started it.
 */
import { drainctlVersion } from './package-files.js';

export const DRAINCTL_VERSION: string = drainctlVersion();
