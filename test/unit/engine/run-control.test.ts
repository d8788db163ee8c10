import { describe, expect, it } from 'vitest';
import { RunControl } from '#src/engine/execution/run-control.js';

describe('RunControl', () => {
  it("a hundred waits listening on the run's abort signal raise no leak warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const control = new RunControl();
      const listeners = Array.from({ length: 100 }, () => () => undefined);
      for (const listener of listeners) control.signal.addEventListener('abort', listener);
      // Process warnings are emitted on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
      for (const listener of listeners) control.signal.removeEventListener('abort', listener);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
