/**
 * Finding and starting Chromium for the browser tests and the screenshot script. The browser
 * is the system's (Debian's `chromium` package at /usr/bin/chromium, or CHROMIUM_PATH), driven
 * by playwright-core, so nothing is downloaded. No vitest import: scripts use this too.
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Where Chromium is expected: CHROMIUM_PATH, else Debian's standard path. */
export function chromiumCandidate(): string {
  return process.env.CHROMIUM_PATH?.trim() || DEFAULT_CHROMIUM_PATH;
}

/** The Chromium executable, or undefined when there is none to run. */
export function findChromium(): string | undefined {
  const path = chromiumCandidate();
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

/** Headless Chromium with the flags a container or CI runner needs. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-extensions',
      '--disable-sync',
      '--no-first-run',
      '--metrics-recording-only',
      '--mute-audio',
      // Text rendering the same on every machine, so contrast checks and screenshots agree.
      '--font-render-hinting=none',
    ],
  });
}
