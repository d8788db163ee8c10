/**
 * SSH: connections drainctl can trust (key auth, host key verified against known_hosts or a
 * pinned fingerprint — never skipped), commands over them, and the Host port for machines
 * reached by SSH. Used by the SSH Host adapter and by the access-log probe's remote tail.
 * Must not import other adapters, the engine or the planner.
 */
export { fingerprintOf, knownHostKeys } from './known-hosts.js';
export {
  type ConnectOptions,
  connectSsh,
  describeTarget,
  type SshTarget,
} from './ssh-connection.js';
export { type ExecResult, execCommand, openExec, shellQuote } from './ssh-exec.js';
export { createSshHost, type SshHostNode, type SshHostOptions } from './ssh-host.js';
