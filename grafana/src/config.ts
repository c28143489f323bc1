// The monitoring stack's settings in one place: scrape job, alert thresholds and `for` durations, runbook links, dashboard uids.

import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';

/** Everything a user may want to tune before regenerating rules and dashboards with `npm run dashboards`. */
export const STACK_CONFIG = Object.freeze({
  /** Prometheus job name of the bot's scrape config; `PoseidonBotDown` watches its `up` series. */
  botJob: 'poseidon-bot',
  /** Window of the recorded rates, ratios and percentiles that alerts and dashboards share. */
  rateWindow: '5m',
  /**
   * Where `runbook_url` points: the runbook page's anchors, one per alert (`#poseidoncriticalerror` …).
   * A placeholder repository URL; point it at your fork or internal wiki.
   */
  runbookBaseUrl: 'https://github.com/example/poseidon-monitor/blob/main/docs/runbook.md',
  /** Any critical error within this window pages. */
  criticalErrorWindow: '5m',
  /** Errors as a share of all recorded events. */
  errorRatio: 0.05,
  errorRatioFor: '10m',
  /** Seconds since a loop's last successful run. */
  loopStalledSeconds: 900,
  loopStalledFor: '2m',
  /** Share of a loop's runs that failed. */
  loopFailureRatio: 0.2,
  loopFailureFor: '15m',
  /** Hours without a single trade while loops keep running (and the bot has been up that long). */
  noTradesHours: 6,
  /** Window in which loops must have run for `PoseidonNoTrades` to consider the bot active. */
  noTradesLoopWindow: '30m',
  noTradesFor: '30m',
  /** p95 adverse slippage, basis points. */
  slippageP95Bps: 50,
  slippageFor: '15m',
  /** p95 time from order to fill, seconds. */
  executionP95Seconds: 2,
  executionFor: '15m',
  /** Fall of the balance from its 24 h high, as a ratio (0.1 = 10 %). */
  drawdownRatio: 0.1,
  drawdownFor: '5m',
  /** Fall of equity (balance + unrealized P&L) from its 24 h high, as a ratio. */
  equityDrawdownRatio: 0.1,
  equityDrawdownFor: '5m',
  botDownFor: '2m',
  /** Window in which any failed history flush or dropped row alerts. */
  storeWindow: '10m',
  storeFor: '0m',
  /**
   * Grafana unit of money figures (balance, equity, P&L, volume, fees): the bot's quote currency,
   * e.g. `currencyUSD`, `currencyEUR`, or `suffix: USDT` for one Grafana has no unit for.
   */
  currencyUnit: 'currencyUSD',
  /** Stable dashboard uids: links and bookmarks survive regeneration. */
  dashboardUids: {
    summary: 'poseidon-summary',
    trading: 'poseidon-trading',
    performance: 'poseidon-performance',
    fleet: 'poseidon-fleet',
  },
  /** Auto-refresh of the dashboards: POSEIDON_DASHBOARD_REFRESH seconds (default 30) when they are generated. */
  dashboardRefresh: `${MonitoringConfig.fromEnv(process.env).dashboardRefreshSeconds}s`,
} as const);
