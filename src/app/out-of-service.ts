/**
 * The nodes this process's live runs have out of service right now: what a process that must
 * leave at once names first (the CLI's second Ctrl-C). A module of its own because the CLI holds
 * it from its first line, before it knows which command runs, and it must load nothing else.
 */
export { outOfServiceNow } from '../engine/reporting/live-runs.js';
