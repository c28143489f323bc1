// Every PromQL expression the stack ships, in one place: recording rules, alert signals and dashboard queries are built here.

import { Label, LoopStatus, METRICS, RUNTIME_METRICS } from '../../src/telemetry/names.js';
import { STACK_CONFIG } from './config.js';

/** Labels that identify one bot process: alerts and recorded series keep exactly these (plus their own). */
export const TARGET_LABELS = 'job, instance, bot';

/** `metric{m1, m2}`, or the bare name when there are no matchers. */
export function vec(metric: string, matchers: readonly string[] = []): string {
  return matchers.length === 0 ? metric : `${metric}{${matchers.join(', ')}}`;
}

const W = STACK_CONFIG.rateWindow;
const M = METRICS;
const R = RUNTIME_METRICS;

/** Names of the recording rules; dashboards select them with the same matchers as raw metrics. */
export const RECORDED = Object.freeze({
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

const quantile = (q: number, bucketMetric: string, by: string, matchers: readonly string[], window: string): string =>
  `histogram_quantile(${q}, sum by (${by}, le) (rate(${vec(`${bucketMetric}_bucket`, matchers)}[${window}])))`;

/**
 * Recording rules, in evaluation order (a rule may use one recorded above it in the same group).
 * These are the expressions both alerts and dashboards use.
 */
export const RECORDING_RULES: readonly RecordingRule[] = Object.freeze([
  { record: RECORDED.errorsRate, expr: `sum by (${TARGET_LABELS}, error_type, severity) (rate(${M.errors.name}[${W}]))` },
  { record: RECORDED.eventsRate, expr: `sum by (${TARGET_LABELS}) (rate(${M.events.name}[${W}]))` },
  {
    record: RECORDED.errorRatio,
    expr: `sum by (${TARGET_LABELS}) (${RECORDED.errorsRate}) / sum by (${TARGET_LABELS}) (${RECORDED.eventsRate})`,
  },
  { record: RECORDED.loopExecutionsRate, expr: `sum by (${TARGET_LABELS}, loop, status) (rate(${M.loopExecutions.name}[${W}]))` },
  {
    // A loop that never failed has no failure series; `or … * 0` gives it a 0 instead of no ratio at all.
    record: RECORDED.loopFailureRatio,
    expr:
      `(sum by (${TARGET_LABELS}, loop) (${vec(RECORDED.loopExecutionsRate, [`status="${LoopStatus.FAILURE}"`])})` +
      ` or sum by (${TARGET_LABELS}, loop) (${RECORDED.loopExecutionsRate}) * 0)` +
      ` / sum by (${TARGET_LABELS}, loop) (${RECORDED.loopExecutionsRate})`,
  },
  { record: RECORDED.loopSecondsSinceSuccess, expr: `time() - max by (${TARGET_LABELS}, loop) (${M.loopLastSuccess.name})` },
  { record: RECORDED.executionP95, expr: quantile(0.95, M.tradeExecution.name, `${TARGET_LABELS}, symbol`, [], W) },
  { record: RECORDED.slippageP95, expr: quantile(0.95, M.tradeSlippage.name, `${TARGET_LABELS}, symbol`, [], W) },
  {
    record: RECORDED.drawdown,
    expr:
      `1 - max by (${TARGET_LABELS}) (${M.accountBalance.name})` +
      ` / max by (${TARGET_LABELS}) (max_over_time(${M.accountBalance.name}[24h]))`,
  },
  {
    // The same on equity (balance + unrealized P&L): an open position's paper loss shows before it is closed.
    record: RECORDED.equityDrawdown,
    expr: `1 - max by (${TARGET_LABELS}) (${M.equity.name})` + ` / max by (${TARGET_LABELS}) (max_over_time(${M.equity.name}[24h]))`,
  },
  {
    // 1 for each target (job, instance) with the bot name of its newest process seen within TARGET_BOT_MEMORY.
    // `up` has no bot label (Prometheus makes it, not the bot): joining this names a target that is down.
    // The newest process wins, so a bot renamed on the same address does not make the join ambiguous.
    record: RECORDED.targetBot,
    expr: `topk by (job, instance) (1, max by (${TARGET_LABELS}) (last_over_time(${R.startTime}[${TARGET_BOT_MEMORY}]))) * 0 + 1`,
  },
]);

const C = STACK_CONFIG;

/** Alert conditions. Each ends in its threshold comparison, so the signal without it can be graphed and tested. */
export const ALERT_EXPR = Object.freeze({
  // A counter series is born at its first increment, which increase() cannot see: the `unless … offset`
  // branch catches a critical error type that did not exist a window ago.
  criticalError:
    `sum by (${TARGET_LABELS}, error_type) (increase(${vec(M.errors.name, ['severity="critical"'])}[${C.criticalErrorWindow}])) > 0` +
    ` or sum by (${TARGET_LABELS}, error_type) (${vec(M.errors.name, ['severity="critical"'])} > 0` +
    ` unless ${vec(M.errors.name, ['severity="critical"'])} offset ${C.criticalErrorWindow})`,
  highErrorRate: `${RECORDED.errorRatio} > ${C.errorRatio}`,
  loopStalled: `${RECORDED.loopSecondsSinceSuccess} > ${C.loopStalledSeconds}`,
  loopFailureRatio: `${RECORDED.loopFailureRatio} > ${C.loopFailureRatio}`,
  // Loops ran recently, no trade in N hours, and the process has been up at least N hours
  // (a freshly started bot that has not traded yet is not stuck).
  noTrades:
    `sum by (${TARGET_LABELS}) (increase(${M.loopExecutions.name}[${C.noTradesLoopWindow}])) > 0` +
    ` unless on (${TARGET_LABELS}) sum by (${TARGET_LABELS}) (increase(${M.trades.name}[${C.noTradesHours}h])) > 0` +
    ` and on (${TARGET_LABELS}) max by (${TARGET_LABELS}) (time() - ${R.startTime}) > ${C.noTradesHours * 3600}`,
  highSlippage: `${RECORDED.slippageP95} > ${C.slippageP95Bps}`,
  slowExecution: `${RECORDED.executionP95} > ${C.executionP95Seconds}`,
  drawdown: `${RECORDED.drawdown} > ${C.drawdownRatio}`,
  equityDrawdown: `${RECORDED.equityDrawdown} > ${C.equityDrawdownRatio}`,
  // Named by its bot when the target was ever scraped within TARGET_BOT_MEMORY; otherwise by instance alone.
  botDown:
    `(${vec('up', [`job="${C.botJob}"`])} == 0) * on (job, instance) group_left (bot) ${RECORDED.targetBot}` +
    ` or on (job, instance) ${vec('up', [`job="${C.botJob}"`])} == 0`,
  storeWriteFailures: `sum by (${TARGET_LABELS}) (increase(${M.storeWriteFailures.name}[${C.storeWindow}])) > 0`,
  storeDroppedRows: `sum by (${TARGET_LABELS}) (increase(${M.storeDroppedRows.name}[${C.storeWindow}])) > 0`,
});

// ---- dashboard queries: `m` is the dashboard's matcher list (job, instance, bot and maybe symbol) ----

type Matchers = readonly string[];
const perMinute = (expr: string): string => `${expr} * 60`;
/** The matchers without the one on `bot`, for series Prometheus makes itself (`up`), which have no bot label. */
const withoutBot = (m: Matchers): Matchers => m.filter((x) => !x.startsWith(`${Label.BOT}=`));

/** Dashboard queries, by panel. `$__rate_interval` and `$__range` are Grafana's; the rest are the dashboards' variables. */
export const Q = Object.freeze({
  // `up` has no bot label: it gets its bot from the recorded target names. A target never named
  // (never scraped) matches only when every bot is selected, since an absent label matches `.*`.
  up: (m: Matchers) =>
    `max by (bot, instance) (${vec('up', withoutBot(m))} * on (job, instance) group_left (bot) ${vec(RECORDED.targetBot, m)}` +
    ` or on (job, instance) ${vec('up', m)})`,
  uptimeSeconds: (m: Matchers) => `time() - max by (bot, instance) (${vec(R.startTime, m)})`,
  firingAlerts: (m: Matchers) => `count(${vec('ALERTS', ['alertstate="firing"', ...m])}) or vector(0)`,
  trades24h: (m: Matchers) => `sum(increase(${vec(M.trades.name, m)}[24h]))`,
  volume24h: (m: Matchers) => `sum(increase(${vec(M.tradeVolume.name, m)}[24h]))`,
  // The P&L gauge restarts at 0 with the bot: over 24 h this is the change since the later of both.
  pnl24h: (m: Matchers) => `sum(delta(${vec(M.realizedPnl.name, m)}[24h]))`,
  growth24h: (m: Matchers) =>
    `sum(delta(${vec(M.accountBalance.name, m)}[24h])) / sum(${vec(M.accountBalance.name, m)} - delta(${vec(M.accountBalance.name, m)}[24h]))`,
  balance: (m: Matchers) => `sum by (bot, instance) (${vec(M.accountBalance.name, m)})`,
  equity: (m: Matchers) => `sum by (bot, instance) (${vec(M.equity.name, m)})`,
  unrealizedPnl: (m: Matchers) => `sum by (bot, instance) (${vec(M.unrealizedPnl.name, m)})`,
  growthLastHour: (m: Matchers) => `max by (bot, instance) (${vec(M.growthRatio.name, m)})`,
  errors24h: (m: Matchers) => `sum(increase(${vec(M.errors.name, m)}[24h]))`,
  criticalErrors24h: (m: Matchers) => `sum(increase(${vec(M.errors.name, [...m, 'severity="critical"'])}[24h]))`,
  tradesPerMinuteBySymbol: (m: Matchers) => perMinute(`sum by (symbol) (rate(${vec(M.trades.name, m)}[$__rate_interval]))`),
  errorsPerMinuteBySeverity: (m: Matchers) => perMinute(`sum by (severity) (rate(${vec(M.errors.name, m)}[$__rate_interval]))`),

  tradesPerMinuteBySymbolSide: (m: Matchers) => perMinute(`sum by (symbol, side) (rate(${vec(M.trades.name, m)}[$__rate_interval]))`),
  volumePerMinuteBySymbol: (m: Matchers) => perMinute(`sum by (symbol) (rate(${vec(M.tradeVolume.name, m)}[$__rate_interval]))`),
  tradesInRangeBySymbol: (m: Matchers) => `sum by (symbol) (increase(${vec(M.trades.name, m)}[$__range]))`,
  feesInRangeBySymbol: (m: Matchers) => `sum by (symbol) (increase(${vec(M.tradeFees.name, m)}[$__range]))`,
  executionQuantile: (q: number, m: Matchers) => quantile(q, M.tradeExecution.name, 'symbol', m, '$__rate_interval'),
  slippageQuantile: (q: number, m: Matchers) => quantile(q, M.tradeSlippage.name, 'symbol', m, '$__rate_interval'),
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

  loopDurationHeatmap: (m: Matchers) => `sum by (le) (increase(${vec(`${M.loopDuration.name}_bucket`, m)}[$__rate_interval]))`,
  loopDurationQuantile: (q: number, m: Matchers) => quantile(q, M.loopDuration.name, 'loop', m, '$__rate_interval'),
  loopRunsPerMinute: (m: Matchers) => perMinute(`sum by (loop, status) (${vec(RECORDED.loopExecutionsRate, m)})`),
  loopSuccessRatio: (m: Matchers) => `1 - max by (loop) (${vec(RECORDED.loopFailureRatio, m)})`,
  loopSecondsSinceSuccess: (m: Matchers) => `max by (loop) (${vec(RECORDED.loopSecondsSinceSuccess, m)})`,
  loopsActive: (m: Matchers) => `sum by (loop) (${vec(M.loopsActive.name, m)})`,
  errorsPerMinuteByType: (m: Matchers) => perMinute(`sum by (error_type) (${vec(RECORDED.errorsRate, m)})`),
  errorRatio: (m: Matchers) => `max by (bot, instance) (${vec(RECORDED.errorRatio, m)})`,
  cpuRatio: (m: Matchers) => `sum by (bot, instance) (rate(${vec(R.cpuSeconds, m)}[$__rate_interval]))`,
  residentMemory: (m: Matchers) => `sum by (bot, instance) (${vec(R.residentMemory, m)})`,
  heapUsed: (m: Matchers) => `sum by (bot, instance) (${vec(R.heapUsed, m)})`,
  eventLoopLagP99: (m: Matchers) => `max by (bot, instance) (${vec(R.eventLoopLagP99, m)})`,
  dbSize: (m: Matchers) => `max by (bot, instance) (${vec(M.dbSize.name, m)})`,
  rowsWrittenPerMinute: (m: Matchers) => perMinute(`sum by (bot, instance) (rate(${vec(M.storeRowsWritten.name, m)}[$__rate_interval]))`),
  bufferedRows: (m: Matchers) => `sum by (bot, instance) (${vec(M.storeBufferedRows.name, m)})`,
  storeFailuresInRange: (m: Matchers) => `sum by (bot, instance) (increase(${vec(M.storeWriteFailures.name, m)}[$__range]))`,
  droppedRowsInRange: (m: Matchers) => `sum by (bot, instance) (increase(${vec(M.storeDroppedRows.name, m)}[$__range]))`,
  performanceMetrics: (m: Matchers) => `max by (name, unit) (${vec(M.performance.name, m)})`,
  callbackFailuresInRange: (m: Matchers) => `sum by (kind) (increase(${vec(M.callbackFailures.name, m)}[$__range]))`,
  sinkFailuresInRange: (m: Matchers) => `sum by (sink) (increase(${vec(M.sinkFailures.name, m)}[$__range]))`,
});
