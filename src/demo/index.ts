/**
 * The demo (`drainctl demo`, what `npm start` runs): a rolling kernel patch on drainctl's own
 * emulator under live client load, shown live and judged by what the clients experienced.
 * Owns the load generator, the live view, the invariant monitor and the report. Must not
 * reach into the engine's or the emulator's internals: it drives them through their public
 * entry points, as a user's script would.
 */

export { DEMO_WORKFLOW, type DemoOptions, runDemo } from '../app/demo.js';
export type { DemoReport } from './demo-report.js';
export { formatDemoReport } from './demo-report.js';
export { LiveView } from './live-view.js';
