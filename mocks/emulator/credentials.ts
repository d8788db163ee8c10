/**
 * The emulator's one key pair (also in .env.example). Worthless against the real cloud; the
 * signature check still runs with it, so a signing bug in drainctl fails here first.
 */
export const EMULATOR_CREDENTIALS = {
  accessKeyId: 'LTAI5tEmulatorLocalOnly',
  accessKeySecret: 'emulator-local-secret',
} as const;
