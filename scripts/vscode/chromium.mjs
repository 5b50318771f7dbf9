// Headless Chromium for the harness (Debian's `chromium`, driven by playwright-core): the flags that keep it from
// dialling hosts an offline machine cannot reach, and private XDG folders. Shared by launch.mjs and test/ui; types
// in chromium.d.mts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** Without the networking flags Chromium keeps dialling hosts this machine cannot reach. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `$DAX_CHROMIUM`, else /usr/bin/chromium. */
export function chromiumPath() {
  return process.env.DAX_CHROMIUM ?? '/usr/bin/chromium';
}

/** An Error saying how to get Chromium when `executablePath` does not exist, else undefined. */
export function missingChromium(executablePath = chromiumPath()) {
  return existsSync(executablePath)
    ? undefined
    : new Error(`no Chromium at ${executablePath} (Debian: apt-get install -y chromium; or set DAX_CHROMIUM)`);
}

/**
 * Launches headless Chromium with its crash reports and dconf files in `tmp` (not the home folder). Signals are left
 * to the caller, which must close the browser itself.
 */
export function launchChromium({ tmp, executablePath = chromiumPath() }) {
  return chromium.launch({
    executablePath,
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(tmp, 'browser-config'),
      XDG_CACHE_HOME: path.join(tmp, 'browser-cache'),
    },
    args: CHROMIUM_ARGS,
  });
}
