// Launches Debian's Chromium (/usr/bin/chromium) headless through playwright-core, with the
// flags this machine needs (no sandbox as root, no background connections to the closed
// network) and a fresh, empty profile folder. Never downloads a browser.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.SSOC_E2E_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-proxy-server',
];

// Returns { context, close }. close() closes the browser and removes the profile folder.
export async function launchBrowser({ ignoreHTTPSErrors = true } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'ssoc-e2e-chromium-'));
  let context;
  try {
    // launchPersistentContext takes the profile folder as Chromium's --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      ignoreHTTPSErrors,
      viewport: { width: 1024, height: 900 },
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
