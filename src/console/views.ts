// The console's three views (Summary, Trading, Performance): which /api paths each reads and how it shows them.

import type {
  DashboardSummary,
  HourlyGrowthPoint,
  LoopPerformance,
  PerformanceDashboard,
  RealTimeMetrics,
  SymbolStats,
  TradingDashboard,
} from '../analytics/dashboardTypes.js';
import { getJson } from './api.js';
import { Chart } from './charts.js';
import { type Column, card, h, panel, table, time, tone } from './dom.js';
import { bps, bytes, count, duration, millis, money, NONE, percent, signedMoney, utc } from './format.js';

/** An event as `/api/events` lists it (timestamps in epoch milliseconds). */
type ApiEvent = Record<string, unknown> & { readonly timestamp: number | string };

interface Health {
  readonly eventsRecorded: number;
  readonly eventLogSize: number;
  readonly eventLogCapacity: number;
  readonly callbackFailures: number;
  readonly sinkFailures: number;
  readonly lastFailure: { readonly where?: string; readonly message?: string; readonly at?: string | number } | null;
}

/** A view: what it reads, and the elements it shows from that. */
export interface View<T> {
  readonly title: string;
  load(hours: number): Promise<T>;
  render(data: T, summary: DashboardSummary): Node[];
}

const events = (type: string, limit: number) => getJson<{ events: ApiEvent[] }>(`/api/events?type=${type}&limit=${limit}`);

const str = (v: unknown): string => (v === null || v === undefined ? NONE : String(v));
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const hourTimes = (points: readonly HourlyGrowthPoint[]) => points.map((p) => Date.parse(p.hour));
/** Errors per UTC hour with the hours without any as zero, so the bars sit on an even hourly grid. */
function errorsByHour(byHour: PerformanceDashboard['errorRates']['byHour']): [number[], number[]] {
  const counts = new Map(byHour.map((b) => [Date.parse(b.hour), b.count]));
  const hours = [...counts.keys()];
  if (hours.length === 0) return [[], []];
  const xs: number[] = [];
  for (let t = Math.min(...hours); t <= Math.max(...hours); t += 3_600_000) xs.push(t);
  return [xs, xs.map((t) => counts.get(t) ?? 0)];
}

const figureRow = (...cards: HTMLElement[]) => h('div', { class: 'cards' }, ...cards);

/** The figures of `/api/summary`, shared by the Summary view and the tests that compare them. */
function summaryCards(s: DashboardSummary, rt: RealTimeMetrics | null): HTMLElement[] {
  return [
    figureRow(
      card('Status', s.systemStatus, { id: 'status', tone: s.systemStatus === 'healthy' ? 'gain' : 'loss' }),
      card('Uptime', duration(s.uptimeSeconds), { id: 'uptime' }),
      card('Balance', money(s.accountBalance), { id: 'balance', note: 'quote currency' }),
      card('Equity', money(s.equity), { id: 'equity', note: 'balance + unrealized P&L' }),
      card('Unrealized P&L', signedMoney(s.unrealizedPnl), { id: 'unrealizedPnl', tone: tone(s.unrealizedPnl) }),
      card('Active loops', count(s.activeLoops), { id: 'activeLoops' }),
    ),
    figureRow(
      card('Trades 24 h', count(s.totalTrades24h), { id: 'totalTrades24h' }),
      card('Volume 24 h', money(s.totalVolume24h), { id: 'totalVolume24h', note: 'quote currency' }),
      card('Realized P&L 24 h', signedMoney(s.totalPnl24h), { id: 'totalPnl24h', tone: tone(s.totalPnl24h) }),
      card('Growth 24 h', percent(s.growth24h, true), { id: 'growth24h', tone: tone(s.growth24h) }),
      card('Equity growth 24 h', percent(s.equityGrowth24h, true), { id: 'equityGrowth24h', tone: tone(s.equityGrowth24h) }),
      card('Errors 24 h', count(s.errorCount24h), { id: 'errorCount24h', tone: s.errorCount24h > 0 ? 'warn' : '' }),
      card('Error ratio 1 h', rt === null ? NONE : percent(rt.errorRate / 100), { id: 'errorRate' }),
    ),
  ];
}

const balanceChart = () =>
  new Chart('balance', [
    { label: 'Balance', color: '--series-1', format: money },
    { label: 'Equity', color: '--series-2', format: money },
  ]);

function showBalance(chart: Chart, points: readonly HourlyGrowthPoint[]): void {
  chart.update(hourTimes(points), [points.map((p) => p.closingBalance), points.map((p) => p.closingEquity)]);
}

const errorColumns: Column<ApiEvent>[] = [
  { header: 'Time (UTC)', cell: (e) => time(utc(e.timestamp)) },
  { header: 'Severity', cell: (e) => str(e.severity) },
  { header: 'Type', cell: (e) => str(e.errorType) },
  { header: 'Message', cell: (e) => str(e.message) },
  { header: 'Symbol', cell: (e) => str(e.symbol) },
  { header: 'Loop', cell: (e) => str(e.loopName) },
];

// ---------------------------------------------------------------- Summary

interface SummaryData {
  readonly realtime: RealTimeMetrics;
  readonly trading: TradingDashboard;
  readonly performance: PerformanceDashboard;
  readonly errors: readonly ApiEvent[];
}

const summaryCharts = {
  balance: balanceChart(),
  unrealized: new Chart('unrealized', [{ label: 'Unrealized P&L', color: '--series-3', format: signedMoney }]),
  trades: new Chart('trades', [{ label: 'Trades per hour', color: '--series-1', format: count, bars: true }]),
  errors: new Chart('errors', [{ label: 'Errors per hour', color: '--series-4', format: count, bars: true }]),
};

export const summaryView: View<SummaryData> = {
  title: 'Summary',
  async load(hours) {
    const [realtime, trading, performance, errors] = await Promise.all([
      getJson<RealTimeMetrics>('/api/realtime'),
      getJson<TradingDashboard>(`/api/trading?hours=${hours}`),
      getJson<PerformanceDashboard>(`/api/performance?hours=${hours}`),
      events('error_event', 10),
    ]);
    return { realtime, trading, performance, errors: errors.events };
  },
  render({ realtime, trading, performance, errors }, s) {
    const points = trading.hourlyGrowth;
    showBalance(summaryCharts.balance, points);
    const unrealized = points.map((p) =>
      p.closingEquity === null || p.closingBalance === null ? null : p.closingEquity - p.closingBalance,
    );
    summaryCharts.unrealized.update(hourTimes(points), [unrealized]);
    summaryCharts.trades.update(hourTimes(points), [points.map((p) => p.tradeCount)]);
    const [errorHours, errorCounts] = errorsByHour(performance.errorRates.byHour);
    summaryCharts.errors.update(errorHours, [errorCounts]);
    return [
      ...(s.statusReasons.length > 0
        ? [
            panel(
              'Why not healthy',
              'The reasons behind the status.',
              h('ul', { class: 'reasons' }, ...s.statusReasons.map((r) => h('li', {}, r))),
            ),
          ]
        : []),
      ...summaryCards(s, realtime),
      h(
        'div',
        { class: 'grid' },
        panel(
          'Balance and equity',
          'Closing balance and equity (balance plus unrealized P&L) of each UTC hour.',
          summaryCharts.balance.root,
        ),
        panel('Unrealized P&L', 'Equity minus balance at the close of each UTC hour.', summaryCharts.unrealized.root),
        panel('Trades per hour', 'Trades executed in each UTC hour.', summaryCharts.trades.root),
        panel('Errors per hour', 'Errors of every severity in each UTC hour.', summaryCharts.errors.root),
      ),
      panel('Recent errors', 'The latest errors the bot reported.', table(errorColumns, errors, 'No errors recorded.')),
    ];
  },
};

// ---------------------------------------------------------------- Trading

interface TradingData {
  readonly trading: TradingDashboard;
  readonly liquidity: readonly ApiEvent[];
}

const tradingCharts = {
  pnl: new Chart('pnl', [{ label: 'Realized P&L', color: '--series-3', format: signedMoney, bars: true }]),
  growth: new Chart('growth', [
    { label: 'Balance growth', color: '--series-1', format: (n) => percent(n, true), axis: (n) => percent(n) },
    { label: 'Equity growth', color: '--series-2', format: (n) => percent(n, true), axis: (n) => percent(n) },
  ]),
  balance: balanceChart(),
  volume: new Chart('volume', [{ label: 'Volume per hour', color: '--series-4', format: money, bars: true }]),
};

const symbolColumns: Column<SymbolStats>[] = [
  { header: 'Symbol', cell: (r) => r.symbol },
  { header: 'Trades', cell: (r) => count(r.tradeCount), numeric: true },
  { header: 'Volume', cell: (r) => money(r.volume), numeric: true },
  { header: 'Fees', cell: (r) => money(r.fees), numeric: true },
  { header: 'Realized P&L', cell: (r) => h('span', { class: tone(r.realizedPnl) }, signedMoney(r.realizedPnl)), numeric: true },
  { header: 'Win rate', cell: (r) => percent(r.winRate), numeric: true },
  { header: 'Exec time', cell: (r) => millis(r.avgExecutionTimeMs), numeric: true },
  { header: 'Slippage', cell: (r) => bps(r.avgSlippageBps), numeric: true },
];

const liquidityColumns: Column<ApiEvent>[] = [
  { header: 'Symbol', cell: (e) => str(e.symbol) },
  { header: 'Spread', cell: (e) => percent(num(e.spread)), numeric: true },
  { header: 'Depth', cell: (e) => money(num(e.marketDepth)), numeric: true },
  { header: 'Bid size', cell: (e) => count(num(e.bidSize)), numeric: true },
  { header: 'Ask size', cell: (e) => count(num(e.askSize)), numeric: true },
  { header: 'Volatility 24 h', cell: (e) => percent(num(e.volatility24h)), numeric: true },
  { header: 'Volume 24 h', cell: (e) => money(num(e.volume24h)), numeric: true },
  { header: 'At (UTC)', cell: (e) => time(utc(e.timestamp)) },
];

type Trade = Record<string, unknown>;
const tradeColumns: Column<Trade>[] = [
  { header: 'Time (UTC)', cell: (t) => time(utc(t.timestamp as string)) },
  { header: 'Symbol', cell: (t) => str(t.symbol) },
  { header: 'Side', cell: (t) => h('span', { class: t.side === 'buy' ? 'gain' : 'loss' }, str(t.side)) },
  { header: 'Quantity', cell: (t) => count(num(t.quantity)), numeric: true },
  { header: 'Price', cell: (t) => money(num(t.price)), numeric: true },
  { header: 'Notional', cell: (t) => money(num(t.notionalValue)), numeric: true },
  { header: 'Fee', cell: (t) => money(num(t.fee)), numeric: true },
  { header: 'Exec time', cell: (t) => millis(num(t.executionTimeMs)), numeric: true },
  { header: 'Slippage', cell: (t) => bps(num(t.slippageBps)), numeric: true },
  {
    header: 'Realized P&L',
    cell: (t) => h('span', { class: tone(num(t.realizedPnl)) }, signedMoney(num(t.realizedPnl))),
    numeric: true,
  },
];

/** The newest liquidity snapshot of each symbol (the API lists newest first). */
function latestBySymbol(list: readonly ApiEvent[]): ApiEvent[] {
  const seen = new Map<string, ApiEvent>();
  for (const e of list) {
    const symbol = String(e.symbol);
    if (!seen.has(symbol)) seen.set(symbol, e);
  }
  return [...seen.values()].sort((a, b) => String(a.symbol).localeCompare(String(b.symbol)));
}

export const tradingView: View<TradingData> = {
  title: 'Trading',
  async load(hours) {
    const [trading, liquidity] = await Promise.all([
      getJson<TradingDashboard>(`/api/trading?hours=${hours}`),
      events('liquidity_analysis', 500),
    ]);
    return { trading, liquidity: liquidity.events };
  },
  render({ trading, liquidity }) {
    const t = trading.tradingStats;
    const points = trading.hourlyGrowth;
    const xs = hourTimes(points);
    tradingCharts.pnl.update(xs, [points.map((p) => p.realizedPnl)]);
    tradingCharts.growth.update(xs, [points.map((p) => p.growthRatio), points.map((p) => p.equityGrowthRatio)]);
    showBalance(tradingCharts.balance, points);
    tradingCharts.volume.update(xs, [points.map((p) => p.volume)]);
    const dd = t.maxDrawdown;
    const edd = t.maxEquityDrawdown;
    return [
      figureRow(
        card(`Trades ${trading.windowHours} h`, count(t.tradeCount), {
          id: 'tradeCount',
          note: `${count(t.buyCount)} buys, ${count(t.sellCount)} sells`,
        }),
        card('Volume', money(t.volume), { id: 'volume', note: 'quote currency' }),
        card('Fees', money(t.fees), { id: 'fees' }),
        card('Realized P&L', signedMoney(t.realizedPnl), { id: 'realizedPnl', tone: tone(t.realizedPnl) }),
        card('Win rate', percent(t.winRate), { id: 'winRate', note: `${count(t.wins)} won, ${count(t.losses)} lost` }),
        card('Profit factor', count(t.profitFactor), { id: 'profitFactor' }),
        card('Expectancy', signedMoney(t.expectancy), { id: 'expectancy', note: 'per closed trade' }),
      ),
      figureRow(
        card('Max drawdown', dd === null ? NONE : percent(dd.ratio), {
          id: 'maxDrawdown',
          note: dd === null ? 'balance' : `${money(dd.absolute)} of balance`,
        }),
        card('Max equity drawdown', edd === null ? NONE : percent(edd.ratio), {
          id: 'maxEquityDrawdown',
          note: edd === null ? 'equity' : `${money(edd.absolute)} of equity`,
        }),
        card('Sharpe', count(t.sharpeRatio), { id: 'sharpeRatio', note: 'annualised, hourly' }),
        card('Sortino', count(t.sortinoRatio), { id: 'sortinoRatio', note: 'annualised, hourly' }),
        card(
          'Execution p50 / p95 / p99',
          `${millis(t.executionTimeMs.p50)} / ${millis(t.executionTimeMs.p95)} / ${millis(t.executionTimeMs.p99)}`,
          {
            id: 'executionTime',
          },
        ),
        card('Slippage', bps(t.avgSlippageBps), { id: 'avgSlippageBps', note: 'average, adverse > 0' }),
      ),
      h(
        'div',
        { class: 'grid' },
        panel('Realized P&L per hour', 'P&L realized by trades in each UTC hour.', tradingCharts.pnl.root),
        panel('Hourly growth', 'Growth of balance and equity within each UTC hour.', tradingCharts.growth.root),
        panel('Balance and equity', 'Closing balance and equity of each UTC hour.', tradingCharts.balance.root),
        panel('Volume per hour', 'Notional traded in each UTC hour (quote currency).', tradingCharts.volume.root),
      ),
      panel(
        'By symbol',
        'Trades, P&L and execution quality per symbol over the window.',
        table(symbolColumns, t.bySymbol, 'No trades in this window.'),
      ),
      panel(
        'Liquidity',
        'The last order-book snapshot of each symbol.',
        table(liquidityColumns, latestBySymbol(liquidity), 'No liquidity snapshots recorded.'),
      ),
      panel(
        'Recent trades',
        'The latest trades, newest first.',
        table(tradeColumns, trading.recentTrades.slice(0, 25), 'No trades in this window.'),
      ),
    ];
  },
};

// ---------------------------------------------------------------- Performance

interface PerformanceData {
  readonly performance: PerformanceDashboard;
  readonly health: Health;
  readonly errors: readonly ApiEvent[];
}

const performanceCharts = {
  errors: new Chart('errors-by-hour', [{ label: 'Errors per hour', color: '--series-4', format: count, bars: true }]),
};

const loopColumns: Column<LoopPerformance>[] = [
  { header: 'Loop', cell: (l) => l.loopName },
  { header: 'Runs', cell: (l) => count(l.runs), numeric: true },
  { header: 'Failures', cell: (l) => count(l.failures), numeric: true },
  { header: 'Success', cell: (l) => h('span', { class: l.successRate < 0.8 ? 'loss' : '' }, percent(l.successRate)), numeric: true },
  { header: 'Avg', cell: (l) => millis(l.avgDurationMs), numeric: true },
  { header: 'p95', cell: (l) => millis(l.p95DurationMs), numeric: true },
  { header: 'Max', cell: (l) => millis(l.maxDurationMs), numeric: true },
  { header: 'Last success (UTC)', cell: (l) => time(utc(l.lastSuccessAt)) },
];

/** A 0–100 figure as a ratio for {@link percent}. */
const ratioOf = (pct: number | null): number | null => (pct === null ? null : pct / 100);

const sampledNote = (at: string | null): string => (at === null ? 'system metrics off' : `sampled ${utc(at).text}`);

export const performanceView: View<PerformanceData> = {
  title: 'Performance',
  async load(hours) {
    const [performance, health, errors] = await Promise.all([
      getJson<PerformanceDashboard>(`/api/performance?hours=${hours}`),
      getJson<Health>('/api/health'),
      events('error_event', 25),
    ]);
    return { performance, health, errors: errors.events };
  },
  render({ performance, health, errors }) {
    const r = performance.resourceUtilization;
    const e = performance.errorRates;
    const [errorHours, errorCounts] = errorsByHour(e.byHour);
    performanceCharts.errors.update(errorHours, [errorCounts]);
    const last = health.lastFailure;
    return [
      figureRow(
        card('CPU', percent(r.cpuRatio), { id: 'cpu', note: 'of one core' }),
        card('Memory (RSS)', bytes(r.rssBytes), { id: 'rss' }),
        card('Heap used', bytes(r.heapUsedBytes), { id: 'heap' }),
        card('Event-loop lag p99', millis(r.eventLoopLagP99Ms), { id: 'lag' }),
        card('Database size', bytes(r.dbSizeBytes), { id: 'dbSize' }),
      ),
      // The host's last system metrics sample: dashes with system metrics off.
      figureRow(
        card('Host CPU', percent(ratioOf(r.systemCpuPercent)), { id: 'hostCpu', note: sampledNote(r.systemSampledAt) }),
        card('Host memory', bytes(r.systemMemoryUsedBytes), {
          id: 'hostMemory',
          note: `${percent(ratioOf(r.systemMemoryPercent))} in use`,
        }),
        card('Network in', bytes(r.networkReceivedBytes), { id: 'networkIn', note: 'last interval' }),
        card('Network out', bytes(r.networkSentBytes), { id: 'networkOut', note: 'last interval' }),
        card('Host processes', count(r.activeProcesses), { id: 'processes' }),
        card('Open handles', count(r.activeHandles), { id: 'handles', note: 'this process' }),
      ),
      figureRow(
        card('Events recorded', count(health.eventsRecorded), { id: 'eventsRecorded' }),
        card('Recent-event buffer', `${count(health.eventLogSize)} / ${count(health.eventLogCapacity)}`, { id: 'eventLog' }),
        card('Internal failures', count(health.sinkFailures), { id: 'sinkFailures', tone: health.sinkFailures > 0 ? 'loss' : '' }),
        card('Callback failures', count(health.callbackFailures), {
          id: 'callbackFailures',
          tone: health.callbackFailures > 0 ? 'loss' : '',
        }),
        card('Last failure', last === null ? 'none' : `${str(last.where)}: ${str(last.message)}`, { id: 'lastFailure' }),
      ),
      panel(
        'Loops',
        `Runs, success and durations of each loop over ${performance.windowHours} h.`,
        table(loopColumns, performance.loopPerformance, 'No loop runs recorded.'),
      ),
      h(
        'div',
        { class: 'grid' },
        panel('Errors per hour', 'Errors of every severity in each UTC hour.', performanceCharts.errors.root),
        panel(
          'Errors by type',
          'Errors per type over the window.',
          table(
            [
              { header: 'Type', cell: (b: PerformanceDashboard['errorRates']['byType'][number]) => b.errorType },
              { header: 'Count', cell: (b) => count(b.count), numeric: true },
              { header: 'Per hour', cell: (b) => count(b.perHour), numeric: true },
            ],
            e.byType,
            'No errors recorded.',
          ),
          table(
            [
              { header: 'Severity', cell: (b: PerformanceDashboard['errorRates']['bySeverity'][number]) => b.severity },
              { header: 'Count', cell: (b) => count(b.count), numeric: true },
            ],
            e.bySeverity,
            '',
          ),
        ),
      ),
      panel('Recent errors', 'The latest errors the bot reported.', table(errorColumns, errors, 'No errors recorded.')),
    ];
  },
};
