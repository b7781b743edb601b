/**
 * Debian's chromium for the page tests, driven by playwright-core: one place
 * that says where it is (CHROMIUM_PATH, or /usr/bin/chromium), what is missing
 * when it is not there, and the flags it runs with on these machines (no
 * sandbox as root, no GPU, nothing fetched from the network on its own).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
