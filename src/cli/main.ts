/**
 * Process entry of the CLI (bin/drainctl.js imports its build): wires argv, stdio and signals to
 * runCli (signals: signals.ts), then exits with its code once stdout and stderr are flushed.
 */
import { outOfServiceNow } from '../app/out-of-service.js';
import { runCli } from './program.js';
import { ignoreGoneReader, installStopSignals } from './signals.js';

ignoreGoneReader(process.stdout);
ignoreGoneReader(process.stderr);

const controller = new AbortController();
installStopSignals(controller, {
  on: (name, handler) => process.on(name, handler),
  interactive: process.stdin.isTTY === true,
  say: (text) => {
    process.stderr.write(`${text}\n`);
  },
  outOfService: outOfServiceNow,
  exit: (code) => process.exit(code),
});

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
