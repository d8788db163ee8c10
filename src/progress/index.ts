/** What a run shows while it goes (pure): plain lines per change, and the live frame. */
export { type NightEta, nightEta, progressFrame } from './progress-frame.js';
export { progressLines } from './progress-lines.js';
export { RunProgress } from './run-progress.js';
