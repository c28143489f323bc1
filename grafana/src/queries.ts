// Every PromQL expression the stack ships, in one place: recording rules, alert signals and dashboard queries are built here.

import { Label, LoopStatus, METRICS, RUNTIME_METRICS } from '../../src/telemetry/names.js';
import { STACK_CONFIG } from './config.js';

/** Labels that identify one bot process: alerts and recorded series keep exactly these (plus their own). */
export const TARGET_LABELS = 'job, instance, bot';

/** `metric{m1, m2}`, or the bare name when there are no matchers. */
export function vec(metric: string, matchers: readonly string[] = []): string {
  return matchers.length === 0 ? metric : `${metric}{${matchers.join(', ')}}`;
}

/** The settings rules are generated from: {@link STACK_CONFIG}, or the same at short windows in the tests. */
export type StackSettings = {
  readonly [K in keyof typeof STACK_CONFIG]: (typeof STACK_CONFIG)[K] extends number
    ? number
    : (typeof STACK_CONFIG)[K] extends string
      ? string
      : (typeof STACK_CONFIG)[K];
};

const M = METRICS;
const R = RUNTIME_METRICS;

/** Seconds in a Prometheus duration (`90s`, `5m`, `24h`, `1d`); rules need some windows as numbers. */
export function durationSeconds(duration: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(duration);
  if (m === null) throw new Error(`not a Prometheus duration: ${duration}`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

/**
 * Events a counter counted in the last `window`, exactly, per series: `increase()` extrapolates to the
 * window's edges and cannot see the first sample of a series born inside it, so a fresh bot's first
 * trade read 0. Per series, in order:
 * - it existed before the window and did not reset: its value now minus its value then;
 * - it reset (the bot restarted): `increase()`, which adds back what the restart took;
 * - it was born inside the window while Prometheus already scraped its target, or its process started
 *   inside the window: all of its value (a counter starts at 0);
 * - otherwise (a fresh Prometheus meeting an old process): what rose since its first sample.
 * `windowSeconds` is the window as a number (`$__range_s` on a dashboard); `lookback` is how far before the
 * window its starting value is looked for (at least a scrape interval: a short bar needs a longer one).
 */
export function countIn(metric: string, matchers: readonly string[], window: string, windowSeconds: string, lookback = window): string {
  const x = vec(metric, matchers);
  const now = `last_over_time(${x}[${window}])`;
  const before = `last_over_time(${x}[${lookback}] offset ${window})`;
  const reset = `resets(${x}[${window}]) > 0`;
  const start = vec(
    R.startTime,
    matchers.filter((m) => /^(job|instance|bot)\b/.test(m)),
  );
  const known =
    `max by (job, instance) (last_over_time(${start}[${lookback}] offset ${window}))` +
    ` or max by (job, instance) (last_over_time(${start}[${window}]) > time() - ${windowSeconds})`;
  return (
    `(${now} - ${before} unless ${reset})` +
    ` or (increase(${x}[${window}]) and ${reset})` +
    ` or (${now} and on (job, instance) (${known}))` +
    ` or (${now} - min_over_time(${x}[${window}]))`
  );
}

/** Names of the recording rules; dashboards select them with the same matchers as raw metrics. */
export function recordedNames(c: StackSettings) {
  const W = c.rateWindow;
  return Object.freeze({
    errorsRate: `poseidon:errors:rate${W}`,
    eventsRate: `poseidon:events:rate${W}`,
    errorRatio: `poseidon:error_ratio:rate${W}`,
    loopExecutionsRate: `poseidon:loop_executions:rate${W}`,
    loopFailureRatio: `poseidon:loop_failure_ratio:rate${W}`,
    loopSecondsSinceSuccess: 'poseidon:loop_last_success:age_seconds',
    executionP95: `poseidon:trade_execution_seconds:p95_${W}`,
    slippageP95: `poseidon:trade_slippage_bps:p95_${W}`,
    drawdown: 'poseidon:account_drawdown:ratio24h',
    equityDrawdown: 'poseidon:equity_drawdown:ratio24h',
    targetBot: 'poseidon:target_bot:info',
  });
}

/** The recorded series' names under the shipped settings. */
export const RECORDED = recordedNames(STACK_CONFIG);

/**
 * How far back a scrape target's bot name is remembered once it stops answering, so a bot that is
 * down is still named in its alert and on the status panel.
 */
export const TARGET_BOT_MEMORY = '1d';

/** One recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/**
 * The q-quantile of the observations made in `window`, from each bucket's exact count there (see {@link countIn}):
 * `rate()` cannot see a new series' first sample, so a symbol's first fills had no percentile at all. A quantile
 * depends only on the buckets' proportions, so counts give the same figure as rates.
 */
const quantile = (
  q: number,
  bucketMetric: string,
  by: string,
  matchers: readonly string[],
  window: string,
  windowSeconds: string,
): string => `histogram_quantile(${q}, sum by (${by}, le) (${countIn(`${bucketMetric}_bucket`, matchers, window, windowSeconds)}))`;

/** Events per second of each `by` group over `window`, exactly: the window's count (see {@link countIn}) over its length. */
const ratePerSecond = (metric: string, by: string, window: string): string => {
  const seconds = String(durationSeconds(window));
  return `sum by (${by}) (${countIn(metric, [], window, seconds)}) / ${seconds}`;
};

/**
 * Recording rules, in evaluation order (a rule may use one recorded above it in the same group).
 * These are the expressions both alerts and dashboards use.
 */
export function recordingRules(c: StackSettings): readonly RecordingRule[] {
  const W = c.rateWindow;
  const WS = String(durationSeconds(W));
  const N = recordedNames(c);
  return Object.freeze([
    { record: N.errorsRate, expr: ratePerSecond(M.errors.name, `${TARGET_LABELS}, error_type, severity`, W) },
    { record: N.eventsRate, expr: ratePerSecond(M.events.name, TARGET_LABELS, W) },
    {
      record: N.errorRatio,
      expr: `sum by (${TARGET_LABELS}) (${N.errorsRate}) / sum by (${TARGET_LABELS}) (${N.eventsRate})`,
    },
    { record: N.loopExecutionsRate, expr: ratePerSecond(M.loopExecutions.name, `${TARGET_LABELS}, loop, status`, W) },
    {
      // A loop that never failed has no failure series; `or … * 0` gives it a 0 instead of no ratio at all.
      record: N.loopFailureRatio,
      expr:
        `(sum by (${TARGET_LABELS}, loop) (${vec(N.loopExecutionsRate, [`status="${LoopStatus.FAILURE}"`])})` +
        ` or sum by (${TARGET_LABELS}, loop) (${N.loopExecutionsRate}) * 0)` +
        ` / sum by (${TARGET_LABELS}, loop) (${N.loopExecutionsRate})`,
    },
    { record: N.loopSecondsSinceSuccess, expr: `time() - max by (${TARGET_LABELS}, loop) (${M.loopLastSuccess.name})` },
    { record: N.executionP95, expr: quantile(0.95, M.tradeExecution.name, `${TARGET_LABELS}, symbol`, [], W, WS) },
    { record: N.slippageP95, expr: quantile(0.95, M.tradeSlippage.name, `${TARGET_LABELS}, symbol`, [], W, WS) },
    {
      record: N.drawdown,
      expr:
        `1 - max by (${TARGET_LABELS}) (${M.accountBalance.name})` +
        ` / max by (${TARGET_LABELS}) (max_over_time(${M.accountBalance.name}[24h]))`,
    },
    {
      // The same on equity (balance + unrealized P&L): an open position's paper loss shows before it is closed.
      record: N.equityDrawdown,
      expr: `1 - max by (${TARGET_LABELS}) (${M.equity.name})` + ` / max by (${TARGET_LABELS}) (max_over_time(${M.equity.name}[24h]))`,
    },
    {
      // 1 for each target (job, instance) with the bot name of its newest process seen within TARGET_BOT_MEMORY.
      // `up` has no bot label (Prometheus makes it, not the bot): joining this names a target that is down.
      // The newest process wins, so a bot renamed on the same address does not make the join ambiguous.
      record: N.targetBot,
      expr: `topk by (job, instance) (1, max by (${TARGET_LABELS}) (last_over_time(${R.startTime}[${TARGET_BOT_MEMORY}]))) * 0 + 1`,
    },
  ]);
}

/** The recording rules under the shipped settings. */
export const RECORDING_RULES = recordingRules(STACK_CONFIG);

/** Alert conditions. Each ends in its threshold comparison, so the signal without it can be graphed and tested. */
export function alertExprs(c: StackSettings) {
  const N = recordedNames(c);
  const critical = vec(M.errors.name, ['severity="critical"']);
  const windowCount = (metric: string, window: string) =>
    `sum by (${TARGET_LABELS}) (${countIn(metric, [], window, String(durationSeconds(window)))})`;
  return Object.freeze({
    // A rise within the window, measured from the window's own first sample: after a scrape gap or on a fresh
    // TSDB the counter has not risen since that sample, so an old error never pages again. The error
    // series exist at 0 from the bot's start, so the first error is a rise; an error counted before the first
    // scrape of a process that started within the window is new too (second branch).
    criticalError:
      `sum by (${TARGET_LABELS}, error_type) (${critical} - min_over_time(${critical}[${c.criticalErrorWindow}])) > 0` +
      ` or sum by (${TARGET_LABELS}, error_type) (${critical} > 0` +
      ` and on (job, instance) (time() - ${R.startTime}) < ${durationSeconds(c.criticalErrorWindow)}) > 0`,
    highErrorRate: `${N.errorRatio} > ${c.errorRatio}`,
    loopStalled: `${N.loopSecondsSinceSuccess} > ${c.loopStalledSeconds}`,
    loopFailureRatio: `${N.loopFailureRatio} > ${c.loopFailureRatio}`,
    // Loops ran recently, no trade in N hours, and the process has been up at least N hours
    // (a freshly started bot that has not traded yet is not stuck).
    noTrades:
      `${windowCount(M.loopExecutions.name, c.noTradesLoopWindow)} > 0` +
      ` unless on (${TARGET_LABELS}) ${windowCount(M.trades.name, `${c.noTradesHours}h`)} > 0` +
      ` and on (${TARGET_LABELS}) max by (${TARGET_LABELS}) (time() - ${R.startTime}) > ${c.noTradesHours * 3600}`,
    highSlippage: `${N.slippageP95} > ${c.slippageP95Bps}`,
    slowExecution: `${N.executionP95} > ${c.executionP95Seconds}`,
    drawdown: `${N.drawdown} > ${c.drawdownRatio}`,
    equityDrawdown: `${N.equityDrawdown} > ${c.equityDrawdownRatio}`,
    // Named by its bot when the target was ever scraped within TARGET_BOT_MEMORY; otherwise by instance alone.
    botDown:
      `(${vec('up', [`job="${c.botJob}"`])} == 0) * on (job, instance) group_left (bot) ${N.targetBot}` +
      ` or on (job, instance) ${vec('up', [`job="${c.botJob}"`])} == 0`,
    storeWriteFailures: `${windowCount(M.storeWriteFailures.name, c.storeWindow)} > 0`,
    storeDroppedRows: `${windowCount(M.storeDroppedRows.name, c.storeWindow)} > 0`,
  });
}

/** The alert conditions under the shipped settings. */
export const ALERT_EXPR = alertExprs(STACK_CONFIG);

// ---- dashboard queries: `m` is the dashboard's matcher list (job, instance, bot and maybe symbol) ----

type Matchers = readonly string[];
/** The matchers without the one on `bot`, for series Prometheus makes itself (`up`), which have no bot label. */
const withoutBot = (m: Matchers): Matchers => m.filter((x) => !x.startsWith(`${Label.BOT}=`));
/** Events of the last 24 h, exactly (see {@link countIn}). */
const day = (metric: string, m: Matchers): string => `sum(${countIn(metric, m, '24h', '86400')})`;
/** Events in each bar's own interval (Grafana's `$__interval`), exactly: a bar is what happened in it, not a rolling total. */
const perInterval = (by: string, metric: string, m: Matchers): string =>
  `sum by (${by}) (${countIn(metric, m, '$__interval', '($__interval_ms / 1000)', '$__rate_interval')})`;
/** Seconds in Grafana's rate window (`$__rate_interval`). */
const RATE_WINDOW_SECONDS = '($__rate_interval_ms / 1000)';
/**
 * Events per minute over Grafana's rate window, exactly: the window's count (see {@link countIn}) over its
 * length. `rate()` cannot see a series' first sample, so a symbol's first trades read 0 per minute.
 */
const perMinute = (by: string, metric: string, m: Matchers): string =>
  `sum by (${by}) (${countIn(metric, m, '$__rate_interval', RATE_WINDOW_SECONDS)}) * 60 / ${RATE_WINDOW_SECONDS}`;

/** Dashboard queries, by panel. `$__rate_interval`, `$__interval`, `$__range` and their `_ms` forms are Grafana's; the rest are the dashboards' variables. */
export const Q = Object.freeze({
  // `up` has no bot label: it gets its bot from the recorded target names. A target never named
  // (never scraped) matches only when every bot is selected, since an absent label matches `.*`.
  up: (m: Matchers) =>
    `max by (bot, instance) (${vec('up', withoutBot(m))} * on (job, instance) group_left (bot) ${vec(RECORDED.targetBot, m)}` +
    ` or on (job, instance) ${vec('up', m)})`,
  // ---- the fleet: one row per bot (bot, instance) ----
  pnl24hByBot: (m: Matchers) => `sum by (bot, instance) (delta(${vec(M.realizedPnl.name, m)}[24h]))`,
  trades24hByBot: (m: Matchers) => `sum by (bot, instance) (${countIn(M.trades.name, m, '24h', '86400')})`,
  errors24hByBot: (m: Matchers) => `sum by (bot, instance) (${countIn(M.errors.name, m, '24h', '86400')})`,
  secondsSinceTrade: (m: Matchers) => `time() - max by (bot, instance) (${vec(M.lastTrade.name, m)})`,
  secondsSinceLoopSuccess: (m: Matchers) => `time() - max by (bot, instance) (${vec(M.loopLastSuccess.name, m)})`,
  firingAlertsByBot: (m: Matchers) => `count by (bot, instance) (${vec('ALERTS', ['alertstate="firing"', ...m])})`,
  uptimeSeconds: (m: Matchers) => `time() - max by (bot, instance) (${vec(R.startTime, m)})`,
  firingAlerts: (m: Matchers) => `count(${vec('ALERTS', ['alertstate="firing"', ...m])}) or vector(0)`,
  trades24h: (m: Matchers) => day(M.trades.name, m),
  volume24h: (m: Matchers) => day(M.tradeVolume.name, m),
  // The P&L gauge restarts at 0 with the bot: over 24 h this is the change since the later of both.
  pnl24h: (m: Matchers) => `sum(delta(${vec(M.realizedPnl.name, m)}[24h]))`,
  growth24h: (m: Matchers) =>
    `sum(delta(${vec(M.accountBalance.name, m)}[24h])) / sum(${vec(M.accountBalance.name, m)} - delta(${vec(M.accountBalance.name, m)}[24h]))`,
  balance: (m: Matchers) => `sum by (bot, instance) (${vec(M.accountBalance.name, m)})`,
  equity: (m: Matchers) => `sum by (bot, instance) (${vec(M.equity.name, m)})`,
  unrealizedPnl: (m: Matchers) => `sum by (bot, instance) (${vec(M.unrealizedPnl.name, m)})`,
  growthLastHour: (m: Matchers) => `max by (bot, instance) (${vec(M.growthRatio.name, m)})`,
  errors24h: (m: Matchers) => day(M.errors.name, m),
  criticalErrors24h: (m: Matchers) => day(M.errors.name, [...m, 'severity="critical"']),
  tradesPerMinuteBySymbol: (m: Matchers) => perMinute('symbol', M.trades.name, m),
  errorsPerMinuteBySeverity: (m: Matchers) => perMinute('severity', M.errors.name, m),

  tradesPerMinuteBySymbolSide: (m: Matchers) => perMinute('symbol, side', M.trades.name, m),
  volumePerMinuteBySymbol: (m: Matchers) => perMinute('symbol', M.tradeVolume.name, m),
  tradesPerIntervalBySymbol: (m: Matchers) => perInterval('symbol', M.trades.name, m),
  feesPerIntervalBySymbol: (m: Matchers) => perInterval('symbol', M.tradeFees.name, m),
  executionQuantile: (q: number, m: Matchers) => quantile(q, M.tradeExecution.name, 'symbol', m, '$__rate_interval', RATE_WINDOW_SECONDS),
  slippageQuantile: (q: number, m: Matchers) => quantile(q, M.tradeSlippage.name, 'symbol', m, '$__rate_interval', RATE_WINDOW_SECONDS),
  executionP95Recorded: (m: Matchers) => `max by (symbol) (${vec(RECORDED.executionP95, m)})`,
  slippageP95Recorded: (m: Matchers) => `max by (symbol) (${vec(RECORDED.slippageP95, m)})`,
  pnlBySymbol: (m: Matchers) => `sum by (symbol) (${vec(M.realizedPnl.name, m)})`,
  unrealizedPnlBySymbol: (m: Matchers) => `sum by (symbol) (${vec(M.unrealizedPnl.name, m)})`,
  drawdown: (m: Matchers) => `max by (bot, instance) (${vec(RECORDED.drawdown, m)})`,
  equityDrawdown: (m: Matchers) => `max by (bot, instance) (${vec(RECORDED.equityDrawdown, m)})`,
  spreadBySymbol: (m: Matchers) => `max by (symbol) (${vec(M.liquiditySpread.name, m)})`,
  depthBySymbol: (m: Matchers) => `max by (symbol) (${vec(M.liquidityDepth.name, m)})`,
  bidSizeBySymbol: (m: Matchers) => `max by (symbol) (${vec(M.liquidityBidSize.name, m)})`,
  askSizeBySymbol: (m: Matchers) => `max by (symbol) (${vec(M.liquidityAskSize.name, m)})`,
  volatilityBySymbol: (m: Matchers) => `max by (symbol) (${vec(M.liquidityVolatility.name, m)})`,
  volume24hBySymbol: (m: Matchers) => `max by (symbol) (${vec(M.liquidityVolume.name, m)})`,

  loopDurationHeatmap: (m: Matchers) => perInterval('le', `${M.loopDuration.name}_bucket`, m),
  loopDurationQuantile: (q: number, m: Matchers) => quantile(q, M.loopDuration.name, 'loop', m, '$__rate_interval', RATE_WINDOW_SECONDS),
  loopRunsPerMinute: (m: Matchers) => perMinute('loop, status', M.loopExecutions.name, m),
  loopSuccessRatio: (m: Matchers) => `1 - max by (loop) (${vec(RECORDED.loopFailureRatio, m)})`,
  loopSecondsSinceSuccess: (m: Matchers) => `max by (loop) (${vec(RECORDED.loopSecondsSinceSuccess, m)})`,
  loopsActive: (m: Matchers) => `sum by (loop) (${vec(M.loopsActive.name, m)})`,
  errorsPerMinuteByType: (m: Matchers) => perMinute('error_type', M.errors.name, m),
  errorRatio: (m: Matchers) => `max by (bot, instance) (${vec(RECORDED.errorRatio, m)})`,
  cpuRatio: (m: Matchers) => `sum by (bot, instance) (rate(${vec(R.cpuSeconds, m)}[$__rate_interval]))`,
  residentMemory: (m: Matchers) => `sum by (bot, instance) (${vec(R.residentMemory, m)})`,
  heapUsed: (m: Matchers) => `sum by (bot, instance) (${vec(R.heapUsed, m)})`,
  hostCpuRatio: (m: Matchers) => `max by (bot, instance) (${vec(M.systemCpu.name, m)})`,
  hostMemoryUsed: (m: Matchers) => `max by (bot, instance) (${vec(M.systemMemoryUsed.name, m)})`,
  networkReceiveBytesPerSecond: (m: Matchers) => `sum by (bot, instance) (rate(${vec(M.systemNetworkReceive.name, m)}[$__rate_interval]))`,
  networkTransmitBytesPerSecond: (m: Matchers) =>
    `sum by (bot, instance) (rate(${vec(M.systemNetworkTransmit.name, m)}[$__rate_interval]))`,
  hostProcesses: (m: Matchers) => `max by (bot, instance) (${vec(M.systemProcesses.name, m)})`,
  activeHandles: (m: Matchers) => `sum by (bot, instance) (${vec(R.activeHandles, m)})`,
  eventLoopLagP99: (m: Matchers) => `max by (bot, instance) (${vec(R.eventLoopLagP99, m)})`,
  dbSize: (m: Matchers) => `max by (bot, instance) (${vec(M.dbSize.name, m)})`,
  rowsWrittenPerMinute: (m: Matchers) => perMinute('bot, instance', M.storeRowsWritten.name, m),
  bufferedRows: (m: Matchers) => `sum by (bot, instance) (${vec(M.storeBufferedRows.name, m)})`,
  storeFailuresPerInterval: (m: Matchers) => perInterval('bot, instance', M.storeWriteFailures.name, m),
  droppedRowsPerInterval: (m: Matchers) => perInterval('bot, instance', M.storeDroppedRows.name, m),
  performanceMetrics: (m: Matchers) => `max by (name, unit) (${vec(M.performance.name, m)})`,
  callbackFailuresPerInterval: (m: Matchers) => perInterval('kind', M.callbackFailures.name, m),
  sinkFailuresPerInterval: (m: Matchers) => perInterval('sink', M.sinkFailures.name, m),
});
