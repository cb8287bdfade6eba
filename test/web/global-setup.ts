/**
 * Before the browser tests: the web app is built (only when its inputs changed, see
 * web/scripts/ensure-built.mjs), so the app instances serve what the sources say; and Chromium
 * must be there (`apt-get install -y chromium`; .ci/run installs it when missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CHROMIUM_PATH } from './browser.js';

export default function setup(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH)`,
    );
  }
  execFileSync(process.execPath, ['web/scripts/ensure-built.mjs'], { stdio: 'inherit' });
}
