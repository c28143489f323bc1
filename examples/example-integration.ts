// A complete integration of poseidon-monitor in a small (simulated) bot: every API, start to finish.
//
// Run it from the package root:   npx tsx examples/example-integration.ts
// It keeps its database and logs in a temporary directory, serves /metrics on a free port,
// prints what it recorded, and exits 0.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorType, type LoopRun, MonitoringSystem, ValidationError } from '../src/index.js';

/** A tiny market-making bot: quotes two symbols, trades now and then, and reports everything it does. */
class ExampleBot {
  private readonly prices = new Map([
    ['BTCUSDT', 45_000],
    ['ETHUSDT', 2_500],
  ]);
  private tick = 0;

  constructor(
    private readonly monitor: MonitoringSystem,
    private readonly startingBalance: number,
  ) {}

  /** One run of the main loop, measured by `trackLoop` (duration, success, trades executed). */
  runOnce(): Promise<void> {
    return this.monitor.trackLoop('main_trading_loop', (run) => this.tradeRound(run));
  }

  private async tradeRound(run: LoopRun): Promise<void> {
    this.tick++;
    const started = performance.now();
    for (const [symbol, price] of this.prices) {
      // A deterministic wiggle instead of an exchange feed.
      const next = price * (1 + 0.002 * Math.sin(this.tick + symbol.length));
      this.prices.set(symbol, next);
      this.monitor.updateMarketPrice(symbol, next);
      if (this.tick % 2 === 1) {
        this.monitor.logTrade({ symbol, side: 'buy', quantity: 1_000 / next, price: next, fee: 1, executionTimeMs: 120, slippageBps: 0.8 });
      } else {
        const held = this.monitor.getPositions().find((p) => p.symbol === symbol)?.quantity ?? 0;
        if (held > 0)
          this.monitor.logTrade({ symbol, side: 'sell', quantity: held, price: next, fee: 1, executionTimeMs: 140, slippageBps: -0.3 });
      }
      run.tradesExecuted++;
    }
    this.monitor.logPerformanceMetric('api_response_time', performance.now() - started, 'milliseconds', { endpoint: 'ticker' });
    this.monitor.updateAccountBalance(this.startingBalance + this.monitor.totalRealizedPnl);
  }

  /** A liquidity snapshot per symbol, as a bot would take on its liquidity interval. */
  snapshotLiquidity(): void {
    for (const [symbol, price] of this.prices) {
      this.monitor.logLiquidityAnalysis({
        symbol,
        spread: 0.0002,
        bidSize: 5,
        askSize: 4,
        marketDepth: 1_500_000,
        volatility24h: 0.025,
        volume24h: 1.2e9,
        bidPrice: price * 0.9999,
        askPrice: price * 1.0001,
      });
    }
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'poseidon-example-'));
  // Every option also has a POSEIDON_* variable; here they are set in code.
  const monitor = new MonitoringSystem({
    dbUrl: `sqlite:///${join(dir, 'example.db')}`,
    logFile: join(dir, 'logs', 'poseidon_monitor.log'),
    metricsHost: '127.0.0.1',
    metricsPort: 0, // a free port; the real one is in monitor.baseUrl and monitor.metricsUrl
    botName: 'example-bot',
    strategy: 'market-making',
  });

  // Callbacks run after each event is recorded; a throwing callback never breaks the bot.
  let tradesSeen = 0;
  monitor.addTradeCallback(() => {
    tradesSeen++;
  });
  monitor.addErrorCallback((e) => {
    if (e.severity === 'critical') console.log(`  critical error callback: ${e.message}`);
  });
  monitor.addPerformanceCallback((m) => {
    if (m.value > 1_000) console.log(`  slow ${m.metricName}: ${m.value} ${m.unit}`);
  });

  await monitor.start();
  try {
    console.log(`metrics: ${monitor.metricsUrl}`);
    const bot = new ExampleBot(monitor, 10_000);
    monitor.updateAccountBalance(10_000);
    bot.snapshotLiquidity();
    for (let i = 0; i < 6; i++) await bot.runOnce();

    // A loop measured by hand instead of trackLoop.
    const rebalance = monitor.startLoopExecution('rebalance');
    monitor.endLoopExecution('rebalance', { executionId: rebalance.executionId, success: true, tradesExecuted: 0 });

    // Errors: an exchange timeout, a critical one, and a loop body that throws (trackLoop records and re-throws).
    monitor.logError('GET /api/v3/ticker timed out after 10000 ms', {
      errorType: ErrorType.NETWORK_TIMEOUT,
      severity: 'medium',
      symbol: 'BTCUSDT',
    });
    monitor.logError(new Error('exchange connection lost'), { errorType: ErrorType.CONNECTION_ERROR, severity: 'critical' });
    await monitor
      .trackLoop('risk_check', () => {
        throw new Error('risk limits unavailable');
      })
      .catch((error: Error) => console.log(`  risk_check failed as planned: ${error.message}`));

    // Invalid input is refused loudly, and nothing is recorded.
    try {
      monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: Number.NaN, price: 45_000 });
    } catch (error) {
      if (error instanceof ValidationError) console.log(`  refused: ${error.message}`);
    }

    // What a scraper sees.
    const scrape = await (await fetch(monitor.metricsUrl!)).text();
    const tradeSeries = scrape.split('\n').filter((l) => l.startsWith('poseidon_trades_total{'));
    console.log(`/metrics: ${tradeSeries.length} poseidon_trades_total series`);

    // Dashboards, the hourly report and the export (also served under /api/* on the same port).
    await monitor.flush();
    const summary = await monitor.getDashboardSummary();
    const trading = await monitor.getTradingDashboard({ hours: 24 });
    const performance = await monitor.getPerformanceDashboard({ hours: 24 });
    const realTime = await monitor.getRealTimeMetrics();
    const hourly = await monitor.getHourlyReport();
    const csv = await monitor.exportDashboardData('csv');
    console.log(
      `summary: status ${summary.systemStatus}, ${summary.totalTrades24h} trades, P&L ${summary.totalPnl24h.toFixed(2)}, ${summary.errorCount24h} errors`,
    );
    console.log(`trading: win rate ${trading.tradingStats.winRate ?? '-'}, ${trading.tradingStats.bySymbol.length} symbols`);
    console.log(`performance: ${performance.loopPerformance.map((l) => `${l.loopName} ${l.runs} runs`).join(', ')}`);
    console.log(
      `real time: ${realTime.eventsPerMinute} events/min; hourly report for ${hourly.reportHour}; CSV export ${csv.length} bytes`,
    );

    // History in SQLite.
    const stats = monitor.getDatabaseStats();
    console.log(`database: ${stats.trades} trades, ${stats.loop_executions} loop runs, ${stats.errors} errors`);
    console.log(
      `callbacks saw ${tradesSeen} trades; balance ${monitor.accountBalance?.toFixed(2)}; health: ${monitor.getSystemHealth().monitoringSystemRunning ? 'running' : 'stopped'}`,
    );
  } finally {
    await monitor.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('done');
}

await main();
