// npm run icons: build/icon.svg (our own design) to the PNG sizes the installers use, rendered by headless Chromium
// (the one Playwright drives for the tests), so no image tool has to be installed. Writes build/icon.png (1024) for
// macOS and Windows, build/icons/NxN.png for Linux, and build/icons/source.sha256 so a test sees a stale set.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from './chromium.cjs';
import { root } from './electron-binary.cjs';

export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

const svgFile = path.join(root, 'build', 'icon.svg');
const svg = readFileSync(svgFile);
const iconsDir = path.join(root, 'build', 'icons');
mkdirSync(iconsDir, { recursive: true });

const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  const source = `data:image/svg+xml;base64,${svg.toString('base64')}`;
  for (const size of ICON_SIZES) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(
      `<html><body style="margin:0;background:transparent"><img src="${source}" width="${size}" height="${size}" style="display:block"></body></html>`,
    );
    await page.locator('img').evaluate((img) => img.decode());
    const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    writeFileSync(path.join(iconsDir, `${size}x${size}.png`), png);
    if (size === 1024) writeFileSync(path.join(root, 'build', 'icon.png'), png);
  }
} finally {
  await browser.close();
}
writeFileSync(path.join(iconsDir, 'source.sha256'), `${createHash('sha256').update(svg).digest('hex')}\n`);
console.log(`icons: ${ICON_SIZES.join(', ')} px from build/icon.svg`);
