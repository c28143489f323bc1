// Takes the console's screenshots for the docs (docs/images/console-*.png) in the system Chromium, over a scripted day of trading.
// Run: npm run screenshots

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/helpers/chromium.js';
import { buildConsole, recordHistory, startConsoleMonitor } from '../test/helpers/consoleFixture.js';

const OUT = fileURLToPath(new URL('../docs/images/', import.meta.url));

/** Each picture: the view, the window size and the colour scheme. */
const SHOTS = [
  { file: 'console-summary.png', view: 'summary', width: 1280, height: 1000, scheme: 'light' },
  { file: 'console-trading.png', view: 'trading', width: 1280, height: 1000, scheme: 'dark' },
  { file: 'console-performance.png', view: 'performance', width: 1280, height: 1000, scheme: 'light' },
  { file: 'console-phone.png', view: 'summary', width: 375, height: 812, scheme: 'dark' },
] as const;

buildConsole();
mkdirSync(OUT, { recursive: true });
// System metrics on, so the Performance view shows the host's figures (this machine's).
const monitor = await startConsoleMonitor({ botName: 'demo-bot', enableSystemMetrics: true });
const browser = await launchChromium();
try {
  await recordHistory(monitor, { hours: 24, tradesPerHour: 12, markup: false });
  // The sample reads the host asynchronously: wait for the first one.
  for (let i = 0; i < 100; i++) {
    const r = (await (await fetch(`${monitor.baseUrl}/api/performance`)).json()) as {
      resourceUtilization: { systemSampledAt: string | null };
    };
    if (r.resourceUtilization.systemSampledAt !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const shot of SHOTS) {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: shot.width, height: shot.height });
    await page.emulateMedia({ colorScheme: shot.scheme });
    await page.goto(`${monitor.baseUrl}/#${shot.view}`);
    await page.waitForSelector(`main[data-ready="${shot.view}"]`);
    // uPlot draws on the next animation frame.
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}${shot.file}` });
    await page.close();
    console.log(`docs/images/${shot.file}`);
  }
} finally {
  await browser.close();
  await monitor.stop();
}
