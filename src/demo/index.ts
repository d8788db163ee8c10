/**
 * The demo's parts (its entry point is src/app/demo.ts, what `drainctl demo` and `npm start`
 * run): the emulated world it runs in, the load generator, the invariant monitor, the live view
 * and the report. Drives the engine and the emulator through their public entry points, as a
 * user's script would. Must not import src/app or src/cli.
 */
export type { DemoReport } from './demo-report.js';
export { formatDemoReport } from './demo-report.js';
export {
  type DemoTraffic,
  type DemoView,
  demoTrafficLine,
  renderDemoTraffic,
} from './live-view.js';
