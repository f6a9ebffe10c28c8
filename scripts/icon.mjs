// Renders the extension icon (media/icons/icon.svg, drawn for this project) to the 256×256 PNG
// the extension page shows (media/icons/icon.png), with Debian's Chromium through playwright-core.
// Usage: node scripts/icon.mjs
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const svg = readFileSync(resolve(root, 'media/icons/icon.svg'), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 256, height: 256 }, deviceScaleFactor: 1 });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: resolve(root, 'media/icons/icon.png'), omitBackground: true });
} finally {
  await browser.close();
}
