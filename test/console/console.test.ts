// The console at / in a real Chromium: figures equal /api/summary, charts draw, the token prompt, markup shown as text, an empty history, the headers.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardSummary, PerformanceDashboard } from '../../src/analytics/dashboardTypes.js';
import { bytes, count, duration, money, NONE, percent, signedMoney } from '../../src/console/format.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { type Browser, findChromium, launchChromium } from '../helpers/chromium.js';
import { buildConsole, recordHistory, startConsoleMonitor, XSS_MESSAGE, XSS_SYMBOL } from '../helpers/consoleFixture.js';

const chromiumPath = findChromium();
const TOKEN = 'console-test-token-7f3a';

let browser: Browser;
let monitor: MonitoringSystem;
let locked: MonitoringSystem;
let empty: MonitoringSystem;
/** A monitor with system metrics on (the others have them off, as an injected clock defaults to). */
let host: MonitoringSystem;
/** Script errors and dialogs of every page, which must stay empty. */
const pageErrors: string[] = [];
const dialogs: string[] = [];

async function open(target: MonitoringSystem, view: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${target.baseUrl}/#${view}`);
  return page;
}

async function ready(page: Page, view: string): Promise<void> {
  await page.waitForSelector(`main[data-ready="${view}"]`, { timeout: 15_000 });
}

const figure = async (page: Page, id: string) => (await page.locator(`[data-figure="${id}"] .value`).textContent()) ?? '';

/**
 * Counts the pixels of a chart's canvas within a small distance of a theme colour. Page code, as
 * text: it runs in the browser, whose types this Node test does not load.
 */
const PIXELS_OF = `async ([name, cssVar]) => {
  // uPlot draws on the next animation frame.
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const canvas = document.querySelector('[data-chart="' + name + '"] canvas');
  if (canvas === null) return -1;
  const hex = getComputedStyle(document.documentElement).getPropertyValue(cssVar).trim();
  const want = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 200 && want.every((v, k) => Math.abs(data[i + k] - v) < 24)) n++;
  }
  return n;
}`;

function pixelsOf(page: Page, chart: string, variable: string): Promise<number> {
  return page.evaluate(`(${PIXELS_OF})(${JSON.stringify([chart, variable])})`);
}

describe.skipIf(chromiumPath === null)('console in Chromium', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    // The page is served from the build; build it from the sources under test.
    buildConsole();
    [browser, monitor, locked, empty, host] = await Promise.all([
      launchChromium(),
      startConsoleMonitor(),
      startConsoleMonitor({ apiToken: TOKEN }),
      startConsoleMonitor(),
      startConsoleMonitor({ enableSystemMetrics: true }),
    ]);
    await Promise.all([recordHistory(monitor), recordHistory(locked, { hours: 2 }), recordHistory(host, { hours: 2 })]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([browser?.close(), monitor?.stop(), locked?.stop(), empty?.stop(), host?.stop()]);
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  it('serves the page with a strict Content-Security-Policy, nosniff and no framing', async () => {
    const response = await fetch(`${monitor.baseUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son[a-z]+=/i);
    for (const asset of ['/console/app.js', '/console/app.css', '/console/uplot.js', '/console/uplot.css']) {
      const r = await fetch(`${monitor.baseUrl}${asset}`);
      expect(r.status, asset).toBe(200);
      expect(r.headers.get('content-security-policy'), asset).toBe(csp);
    }
  });

  it('shows the figures of /api/summary with their units', async () => {
    const page = await open(monitor, 'summary');
    await ready(page, 'summary');
    const s = (await (await fetch(`${monitor.baseUrl}/api/summary`)).json()) as DashboardSummary;
    const expected: Record<string, string> = {
      status: s.systemStatus,
      uptime: duration(s.uptimeSeconds),
      balance: money(s.accountBalance),
      equity: money(s.equity),
      unrealizedPnl: signedMoney(s.unrealizedPnl),
      activeLoops: count(s.activeLoops),
      totalTrades24h: count(s.totalTrades24h),
      totalVolume24h: money(s.totalVolume24h),
      totalPnl24h: signedMoney(s.totalPnl24h),
      growth24h: percent(s.growth24h, true),
      equityGrowth24h: percent(s.equityGrowth24h, true),
      errorCount24h: count(s.errorCount24h),
    };
    const shown: Record<string, string> = {};
    for (const id of Object.keys(expected)) shown[id] = await figure(page, id);
    expect(shown).toEqual(expected);
    expect(shown.balance).toBe('10,007.88');
    expect(shown.equity).toBe('10,013.62');
    expect(shown.growth24h).toMatch(/^[−+]?\d+\.\d\d %$/);
    // Times in UTC, the local time on hover.
    const stamp = page.locator('#updated time');
    expect(await stamp.textContent()).toBe('2026-01-02 00:01:00 UTC');
    expect(await stamp.getAttribute('title')).toMatch(/^local time: /);
    await page.close();
  });

  it("shows the host's last system sample of /api/performance, and dashes with system metrics off", async () => {
    const resources = async (target: MonitoringSystem) =>
      ((await (await fetch(`${target.baseUrl}/api/performance`)).json()) as PerformanceDashboard).resourceUtilization;
    // The sample reads the host asynchronously: wait for the first one.
    for (const deadline = Date.now() + 10_000; (await resources(host)).systemSampledAt === null; ) {
      if (Date.now() > deadline) throw new Error('no system sample');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ratio = (pct: number | null) => (pct === null ? null : pct / 100);
    for (const target of [host, monitor]) {
      const page = await open(target, 'performance');
      await ready(page, 'performance');
      const r = await resources(target);
      const expected: Record<string, string> = {
        hostCpu: percent(ratio(r.systemCpuPercent)),
        hostMemory: bytes(r.systemMemoryUsedBytes),
        networkIn: bytes(r.networkReceivedBytes),
        networkOut: bytes(r.networkSentBytes),
        processes: count(r.activeProcesses),
        handles: count(r.activeHandles),
      };
      const shown: Record<string, string> = {};
      for (const id of Object.keys(expected)) shown[id] = await figure(page, id);
      expect(shown).toEqual(expected);
      if (target === host) {
        expect(shown.hostCpu).toMatch(/%$/);
        expect(shown.hostMemory).toMatch(/iB$/);
        expect(Number(shown.processes!.replace(/\D/g, ''))).toBeGreaterThan(0);
      } else {
        expect(Object.values(shown)).toEqual(Object.values(expected).map(() => NONE));
      }
      await page.close();
    }
  });

  it('draws the charts of every view', async () => {
    const charts: Record<string, [string, string][]> = {
      summary: [
        // Equity over balance: with every position closed the two lines coincide.
        ['balance', '--series-2'],
        ['trades', '--series-1'],
        ['errors', '--series-4'],
      ],
      trading: [
        ['pnl', '--series-3'],
        ['volume', '--series-4'],
      ],
      performance: [['errors-by-hour', '--series-4']],
    };
    for (const [view, list] of Object.entries(charts)) {
      const page = await open(monitor, view);
      await ready(page, view);
      for (const [chart, color] of list) expect(await pixelsOf(page, chart, color), `${view}: ${chart}`).toBeGreaterThan(100);
      await page.close();
    }
  });

  it('shows a symbol and an error message that are markup as text, and runs none of it', async () => {
    const page = await open(monitor, 'trading');
    await ready(page, 'trading');
    expect(await page.getByRole('cell', { name: XSS_SYMBOL, exact: true }).count()).toBeGreaterThan(0);
    await page.goto(`${monitor.baseUrl}/#performance`);
    await ready(page, 'performance');
    expect(await page.getByRole('cell', { name: XSS_MESSAGE, exact: true }).count()).toBe(1);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('asks for the API token, refuses a wrong one and shows the data with the right one', async () => {
    const page = await open(locked, 'summary');
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.locator('#login-message').textContent()).toContain('needs its API token');
    await page.fill('#token', 'wrong-token');
    await page.click('#login button');
    await page.locator('#login-message', { hasText: 'The token was refused.' }).waitFor();
    expect(await page.locator('main').getAttribute('data-ready')).toBeNull();
    expect(await page.locator('[data-figure]').count()).toBe(0);
    await page.fill('#token', TOKEN);
    await page.click('#login button');
    await ready(page, 'summary');
    expect(await page.locator('#login').isHidden()).toBe(true);
    expect(await figure(page, 'totalTrades24h')).toBe('13');
    // Kept for the tab only, never in the URL.
    expect(await page.evaluate("sessionStorage.getItem('poseidon-monitor.token')")).toBe(TOKEN);
    expect(page.url()).not.toContain(TOKEN);
    // The API itself still refuses a request without it.
    expect((await fetch(`${locked.baseUrl}/api/summary`)).status).toBe(401);
    await page.close();
  });

  it('says there is no history yet instead of showing errors', async () => {
    for (const view of ['summary', 'trading', 'performance']) {
      const page = await open(empty, view);
      await ready(page, view);
      const notice = page.locator('#notice');
      expect(await notice.isVisible()).toBe(true);
      expect(await notice.textContent()).toMatch(/^No history yet/);
      expect(await notice.getAttribute('class')).not.toContain('error');
      expect(await page.locator('main').textContent()).not.toMatch(/error:|NaN|undefined|null/i);
      await page.close();
    }
  });
});
