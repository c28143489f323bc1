// Test helper: monitors serving the console over a scripted history (twelve hours of trades, errors, loops and liquidity) on a manual clock.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.js';
import type { MonitoringConfigOptions } from '../../src/config/MonitoringConfig.js';
import { ErrorType } from '../../src/events/types.js';
import { packageRoot } from '../../src/http/console/consoleAssets.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { QUIET_OPTIONS, TEST_START } from './monitor.js';

/** A symbol that is markup: the console must show it as text. */
export const XSS_SYMBOL = '<img src=x onerror=alert(1)>';
/** An error message that is markup. */
export const XSS_MESSAGE = '<script>alert(2)</script> order refused';

const SYMBOLS = [
  { symbol: 'BTCUSDT', price: 50_000, quantity: 0.01 },
  { symbol: 'ETHUSDT', price: 3_000, quantity: 0.2 },
  { symbol: 'SOLUSDT', price: 150, quantity: 4 },
] as const;

/** Builds the console page into dist/console/ from the sources (the server serves the build). */
export function buildConsole(): void {
  const script = join(packageRoot(), 'scripts', 'build-console.mjs');
  const build = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`console build failed: ${build.stderr}`);
}

/** What {@link recordHistory} records. */
export interface HistoryOptions {
  /** @default 12 */
  readonly hours?: number;
  /** @default 6 */
  readonly tradesPerHour?: number;
  /** Ends with a trade and an error whose symbol and message are markup. @default true */
  readonly markup?: boolean;
}

/** A started monitor serving HTTP on a free loopback port, with `options` over the quiet test defaults. */
export async function startConsoleMonitor(options: MonitoringConfigOptions = {}): Promise<MonitoringSystem> {
  const monitor = new MonitoringSystem({
    ...QUIET_OPTIONS,
    clock: new ManualClock(TEST_START),
    enableMetricsServer: true,
    metricsHost: '127.0.0.1',
    metricsPort: 0,
    ...options,
  });
  await monitor.start();
  return monitor;
}

/**
 * Records `hours` hours of a deterministic bot: each hour a buy per symbol, then a sell of three
 * quarters of it at a price that moves with the hour, a loop run, a liquidity snapshot per symbol, an error every
 * third hour and the balance; then (unless told not to) one trade and one error whose symbol and message are markup.
 */
export async function recordHistory(monitor: MonitoringSystem, options: HistoryOptions = {}): Promise<void> {
  const { hours = 12, tradesPerHour = 6, markup = true } = options;
  const clock = monitor.config.clock as ManualClock;
  let balance = 10_000;
  monitor.updateAccountBalance(balance);
  for (let h = 0; h < hours; h++) {
    for (let i = 0; i < tradesPerHour; i++) {
      const s = SYMBOLS[i % SYMBOLS.length]!;
      const drift = 1.0025 + 0.004 * Math.sin(h + i);
      const side = Math.floor(i / SYMBOLS.length) % 2 === 0 ? 'buy' : 'sell';
      clock.advance(Math.floor(3_000_000 / tradesPerHour));
      const price = s.price * (side === 'buy' ? 1 : drift);
      // Sells close three quarters of a buy, so positions stay open and carry unrealized P&L.
      const quantity = side === 'buy' ? s.quantity : s.quantity * 0.75;
      monitor.logTrade({
        symbol: s.symbol,
        side,
        quantity,
        price,
        fee: price * quantity * 0.001,
        executionTimeMs: 80 + ((h * 37 + i * 53) % 300),
        slippageBps: ((h + i) % 7) - 2,
      });
      if (side === 'sell') balance += quantity * (price - s.price) - price * quantity * 0.002;
    }
    monitor.startLoopExecution('main_trading_loop');
    clock.advance(150 + h * 10);
    monitor.endLoopExecution('main_trading_loop', h % 5 === 4 ? { success: false, errorMessage: 'order book stale' } : { success: true });
    for (const s of SYMBOLS) {
      monitor.logLiquidityAnalysis({
        symbol: s.symbol,
        spread: 0.0002,
        bidSize: 3,
        askSize: 2.5,
        marketDepth: 1_000_000,
        volatility24h: 0.03,
        volume24h: 5e8,
      });
      monitor.updateMarketPrice(s.symbol, s.price * (1 + 0.003 * Math.cos(h / 2)));
    }
    if (h % 3 === 1) monitor.logError('GET /api/v3/ticker timed out', { errorType: ErrorType.NETWORK_TIMEOUT, severity: 'medium' });
    monitor.updateAccountBalance(Math.round(balance * 100) / 100);
    clock.advanceTo(TEST_START + (h + 1) * 3_600_000);
  }
  if (markup) {
    monitor.logTrade({ symbol: XSS_SYMBOL, side: 'buy', quantity: 1, price: 1, fee: 0.001 });
    monitor.logError(XSS_MESSAGE, { errorType: ErrorType.API_ERROR, severity: 'high', symbol: XSS_SYMBOL });
  }
  clock.advance(60_000);
  await monitor.flush();
}
