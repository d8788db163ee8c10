/**
 * Ports: the interfaces through which the engine touches the world. Interfaces and plain data
 * types only — no implementations. Adapters implement them (src/adapters), the engine consumes
 * them, tests provide in-memory models for properties. Must not import (lint-enforced) anything
 * outside src/ports; every import of it is `import type`.
 */
export type * from './alert-gate.js';
export type * from './attachments.js';
export type * from './clock.js';
export type * from './cloud-calls.js';
export type * from './cloud-retry.js';
export type * from './dns.js';
export type * from './health.js';
export type * from './host.js';
export type * from './load-balancer.js';
export type * from './nginx-upgrade.js';
export type * from './notifier.js';
export type * from './redis.js';
export type * from './shared-storage.js';
export type * from './traffic-probe.js';
