import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

// The one place tests drive a browser: Debian's Chromium through playwright-core (no browser
// download: playwright-core ships none and is pointed at /usr/bin/chromium).

/** Where Debian's `chromium` package puts the browser (LRROLL_CHROMIUM overrides it). */
export const CHROMIUM = process.env.LRROLL_CHROMIUM ?? '/usr/bin/chromium';

/** Whether a headless Chromium can be started here, and why not. */
export function chromiumSupport(): { ok: boolean; reason: string } {
  return existsSync(CHROMIUM)
    ? { ok: true, reason: CHROMIUM }
    : { ok: false, reason: `${CHROMIUM} is missing (Debian: apt-get install chromium)` };
}

/**
 * Starts headless Chromium with a fresh profile (playwright gives each launch its own temporary --user-data-dir), no
 * network services of its own.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export type { Browser, Page } from 'playwright-core';
