/**
 * drainctl's programmatic API, for people who script their maintenance in TypeScript.
 * The CLI is built on the same functions. (The engine issue adds `plan`, `run` and `resume`.)
 */
export * from './errors/index.js';
export type * from './plan/types.js';
export type * from './ports/index.js';
