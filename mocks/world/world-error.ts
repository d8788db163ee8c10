/**
 * The one error type the world throws. `code` is stable; where the real cloud has a code for the
 * same situation it is that code, so the control plane can pass it through.
 */
export class WorldError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorldError';
    this.code = code;
  }
}
