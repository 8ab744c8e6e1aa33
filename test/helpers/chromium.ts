// Debian's Chromium for the end-to-end tests (driven by playwright-core; .ci/run installs it), the
// flags that keep it headless, offline and quiet, and whether it is there (tests skip, saying so).
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const chromiumPresent = existsSync(CHROMIUM);
