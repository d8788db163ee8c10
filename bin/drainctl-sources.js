#!/usr/bin/env node
// drainctl from its TypeScript sources through tsx's loader, with no build: `npm run dev -- …`
// while developing, and what the tests spawn, so they always run src/ as it is now.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
