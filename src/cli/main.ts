/**
 * Process entry of the CLI (bin/drainctl.js imports this): wires argv, stdio and signals to
 * runCli, then exits with its code once stdout and stderr are flushed.
 */
import { runCli } from './program.js';

const controller = new AbortController();
let signals = 0;
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    signals += 1;
    // First signal: ask the running command to finish or undo its current step safely.
    // Second signal: the operator insists; leave now (the journal lets `resume` pick up).
    if (signals > 1) process.exit(130);
    controller.abort(new Error(`received ${name}`));
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});

await Promise.all(
  [process.stdout, process.stderr].map(
    (stream) => new Promise<void>((resolve) => stream.write('', () => resolve())),
  ),
);
process.exit(code);
