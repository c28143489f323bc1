// The three Grafana dashboards (summary, trading, performance) built with the Grafana Foundation SDK from the queries module.

import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { METRICS } from '../../src/telemetry/names.js';
import { STACK_CONFIG as C } from './config.js';
import { Q } from './queries.js';

/** Panels query the data source chosen in the `datasource` variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template
const DS: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** Matchers of the job / instance / bot variables, and with the symbol variable. */
const TARGET = ['job=~"$job"', 'instance=~"$instance"', 'bot=~"$bot"'] as const;
const TARGET_SYMBOL = [...TARGET, 'symbol=~"$symbol"'] as const;
/** Every bot exports it, traded or not: the variables list bots, jobs and instances from it. */
const BUILD_INFO = METRICS.buildInfo.name;

/** A query with a legend; refIds are assigned per panel. */
interface Target {
  readonly expr: string;
  readonly legend: string;
  readonly format?: prometheus.PromQueryFormat;
}

const target = (expr: string, legend = ''): Target => ({ expr, legend });

function queries(targets: readonly Target[]): prometheus.DataqueryBuilder[] {
  return targets.map((t, i) => {
    const q = new prometheus.DataqueryBuilder()
      .datasource(DS)
      .expr(t.expr)
      .legendFormat(t.legend === '' ? '__auto' : t.legend)
      .refId(String.fromCharCode(65 + i));
    if (t.format !== undefined) q.format(t.format);
    return q;
  });
}

/** Green below `warn`, red from it: the alert threshold drawn on the panel. */
const thresholds = (red?: number): dashboard.ThresholdsConfigBuilder =>
  new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null as unknown as number, color: 'green' }, ...(red === undefined ? [] : [{ value: red, color: 'red' }])]);

interface PanelOpts {
  readonly unit?: string;
  readonly width?: number;
  readonly height?: number;
  readonly red?: number;
  readonly description: string;
}

function statPanel(title: string, targets: readonly Target[], o: PanelOpts): stat.PanelBuilder {
  const p = new stat.PanelBuilder()
    .title(title)
    .description(o.description)
    .datasource(DS)
    .span(o.width ?? 4)
    .height(o.height ?? 4)
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(thresholds(o.red));
  if (o.unit !== undefined) p.unit(o.unit);
  for (const q of queries(targets)) p.withTarget(q);
  return p;
}

function graph(title: string, targets: readonly Target[], o: PanelOpts & { readonly bars?: boolean }): timeseries.PanelBuilder {
  const p = new timeseries.PanelBuilder()
    .title(title)
    .description(o.description)
    .datasource(DS)
    .span(o.width ?? 12)
    .height(o.height ?? 8)
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .showLegend(true),
    )
    .thresholds(thresholds(o.red));
  if (o.red !== undefined) p.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line));
  if (o.bars) p.drawStyle(common.GraphDrawStyle.Bars).fillOpacity(60);
  if (o.unit !== undefined) p.unit(o.unit);
  for (const q of queries(targets)) p.withTarget(q);
  return p;
}

function variables(b: dashboard.DashboardBuilder, withSymbol: boolean): dashboard.DashboardBuilder {
  b.withVariable(new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  const query = (name: string, label: string, definition: string): dashboard.QueryVariableBuilder =>
    new dashboard.QueryVariableBuilder(name)
      .label(label)
      .datasource(DS)
      .query({ query: definition, refId: `${name}-variable` })
      .definition(definition)
      .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
      .sort(dashboard.VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue('.*')
      .current({ selected: true, text: 'All', value: '$__all' });
  b.withVariable(query('job', 'Job', `label_values(${BUILD_INFO}, job)`));
  // Bots by the name each gives itself (POSEIDON_BOT_NAME): several bots on one Prometheus are told apart here.
  b.withVariable(query('bot', 'Bot', `label_values(${BUILD_INFO}{job=~"$job"}, bot)`));
  b.withVariable(query('instance', 'Instance', `label_values(${BUILD_INFO}{job=~"$job", bot=~"$bot"}, instance)`));
  if (withSymbol)
    b.withVariable(
      query('symbol', 'Symbol', `label_values(${METRICS.trades.name}{job=~"$job", instance=~"$instance", bot=~"$bot"}, symbol)`),
    );
  return b;
}

function base(uid: string, title: string, description: string, withSymbol: boolean): dashboard.DashboardBuilder {
  const b = new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['poseidon', 'trading'])
    .editable()
    .refresh(C.dashboardRefresh)
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .link(
      new dashboard.DashboardLinkBuilder('Poseidon')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['poseidon'])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
  return variables(b, withSymbol);
}

/** Panels get ids in the order they were added, so the JSON is the same on every run. */
function numbered(b: dashboard.DashboardBuilder): dashboard.Dashboard {
  const d = b.build();
  let id = 1;
  for (const p of d.panels ?? []) (p as { id?: number }).id = id++;
  return d;
}

const row = (title: string): dashboard.RowBuilder => new dashboard.RowBuilder(title);

export function summaryDashboard(): dashboard.Dashboard {
  const m = TARGET;
  const b = base(C.dashboardUids.summary, 'Poseidon / Summary', 'Is the bot up, trading and making money, and is anything on fire?', false)
    .withRow(row('Status'))
    .withPanel(
      statPanel('Status', [target(Q.up(m), '{{bot}} {{instance}}')], {
        width: 3,
        description:
          'Whether Prometheus can scrape each bot (`up`). A bot that is down keeps its name for a day; a target never scraped shows only its address, and only with every bot selected.',
        red: undefined,
      }).mappings([
        { type: dashboard.MappingType.ValueToText, options: { '0': { text: 'DOWN', color: 'red' }, '1': { text: 'UP', color: 'green' } } },
      ]),
    )
    .withPanel(
      statPanel('Uptime', [target(Q.uptimeSeconds(m), '{{bot}}')], {
        unit: 's',
        width: 3,
        description: 'Time since the bot process started.',
      }),
    )
    .withPanel(
      statPanel('Firing alerts', [target(Q.firingAlerts(m), 'alerts')], {
        red: 1,
        width: 3,
        description: 'Poseidon alerts firing now for the selected bots (see docs/runbook.md).',
      }),
    )
    .withPanel(
      statPanel('Balance', [target(Q.balance(m), '{{bot}}')], { width: 3, description: 'Account balance last reported by the bot.' }),
    )
    .withPanel(
      statPanel('Equity', [target(Q.equity(m), '{{bot}}')], {
        width: 3,
        description: 'Balance plus the unrealized P&L of open positions at their last market price.',
      }),
    )
    .withPanel(
      statPanel('Unrealized P&L', [target(Q.unrealizedPnl(m), '{{bot}}')], {
        width: 3,
        description: 'Profit or loss of the open positions if they were closed at their last market price.',
      }),
    )
    .withPanel(
      statPanel('Growth last hour', [target(Q.growthLastHour(m), '{{bot}}')], {
        unit: 'percentunit',
        width: 3,
        description: 'Growth of the balance over the last full UTC hour.',
      }),
    )
    .withPanel(
      statPanel('Critical errors 24 h', [target(Q.criticalErrors24h(m), 'critical')], {
        red: 1,
        width: 3,
        description: 'Critical errors reported in the last 24 h.',
      }),
    )
    .withRow(row('Last 24 hours'))
    .withPanel(statPanel('Trades 24 h', [target(Q.trades24h(m), 'trades')], { description: 'Trades executed in the last 24 h.' }))
    .withPanel(
      statPanel('Volume 24 h', [target(Q.volume24h(m), 'volume')], { description: 'Notional traded in the last 24 h (quote currency).' }),
    )
    .withPanel(
      statPanel('Realized P&L 24 h', [target(Q.pnl24h(m), 'P&L')], {
        description: 'Change of realized P&L in the last 24 h (the gauge restarts at 0 with the bot).',
      }),
    )
    .withPanel(
      statPanel('Growth 24 h', [target(Q.growth24h(m), 'growth')], {
        unit: 'percentunit',
        description: 'Change of the balance over the last 24 h, relative to its value 24 h ago.',
      }),
    )
    .withPanel(statPanel('Errors 24 h', [target(Q.errors24h(m), 'errors')], { description: 'Errors of every severity in the last 24 h.' }))
    .withPanel(
      statPanel('Error ratio', [target(Q.errorRatio(m), '{{bot}}')], {
        unit: 'percentunit',
        red: C.errorRatio,
        description: `Errors as a share of all events over ${C.rateWindow} (alert above ${C.errorRatio * 100} %).`,
      }),
    )
    .withRow(row('Balance and equity'))
    .withPanel(
      graph('Balance and equity', [target(Q.balance(m), '{{bot}} balance'), target(Q.equity(m), '{{bot}} equity')], {
        description: 'The balance and the equity curve (balance plus unrealized P&L) of each bot.',
      }),
    )
    .withPanel(
      graph('Unrealized P&L', [target(Q.unrealizedPnl(m), '{{bot}}')], {
        description: 'Unrealized P&L of all open positions of each bot, marked to the last market price.',
      }),
    )
    .withRow(row('Activity'))
    .withPanel(
      graph('Trades per minute', [target(Q.tradesPerMinuteBySymbol(m), '{{symbol}}')], {
        description: 'Trade rate by symbol.',
      }),
    )
    .withPanel(
      graph('Errors per minute', [target(Q.errorsPerMinuteBySeverity(m), '{{severity}}')], {
        description: 'Error rate by severity.',
      }),
    );
  return numbered(b);
}

export function tradingDashboard(): dashboard.Dashboard {
  const m = TARGET_SYMBOL;
  const t = TARGET;
  const b = base(C.dashboardUids.trading, 'Poseidon / Trading', 'Trades, execution quality, P&L, balance and liquidity by symbol.', true)
    .withRow(row('Trades'))
    .withPanel(
      graph('Trades per minute', [target(Q.tradesPerMinuteBySymbolSide(m), '{{symbol}} {{side}}')], {
        description: 'Trade rate by symbol and side.',
      }),
    )
    .withPanel(
      graph('Volume per minute', [target(Q.volumePerMinuteBySymbol(m), '{{symbol}}')], {
        description: 'Notional traded per minute by symbol (quote currency).',
      }),
    )
    .withPanel(
      graph('Trades in range', [target(Q.tradesInRangeBySymbol(m), '{{symbol}}')], {
        bars: true,
        description: 'Trades by symbol over the selected time range.',
      }),
    )
    .withPanel(
      graph('Fees in range', [target(Q.feesInRangeBySymbol(m), '{{symbol}}')], {
        bars: true,
        description: 'Fees paid by symbol over the selected time range (quote currency).',
      }),
    )
    .withRow(row('Execution quality'))
    .withPanel(
      graph(
        'Execution time percentiles',
        [0.5, 0.95, 0.99].map((q) => target(Q.executionQuantile(q, m), `{{symbol}} p${q * 100}`)),
        { unit: 's', description: 'Time from order to fill: p50, p95 and p99 by symbol.' },
      ),
    )
    .withPanel(
      graph('Execution time p95 (alert signal)', [target(Q.executionP95Recorded(m), '{{symbol}}')], {
        unit: 's',
        red: C.executionP95Seconds,
        description: `The recorded p95 over ${C.rateWindow} that PoseidonSlowExecution watches; the red line is its threshold.`,
      }),
    )
    .withPanel(
      graph(
        'Slippage percentiles',
        [0.5, 0.95, 0.99].map((q) => target(Q.slippageQuantile(q, m), `{{symbol}} p${q * 100}`)),
        { unit: 'none', description: 'Adverse slippage in basis points: p50, p95 and p99 by symbol.' },
      ),
    )
    .withPanel(
      graph('Slippage p95 (alert signal)', [target(Q.slippageP95Recorded(m), '{{symbol}}')], {
        unit: 'none',
        red: C.slippageP95Bps,
        description: `The recorded p95 over ${C.rateWindow} that PoseidonHighSlippage watches (basis points).`,
      }),
    )
    .withRow(row('P&L and balance'))
    .withPanel(
      graph('Realized P&L by symbol', [target(Q.pnlBySymbol(m), '{{symbol}}')], {
        description: 'Realized P&L since the bot started, by symbol.',
      }),
    )
    .withPanel(
      graph('Unrealized P&L by symbol', [target(Q.unrealizedPnlBySymbol(m), '{{symbol}}')], {
        description: 'Unrealized P&L of the open position in each symbol at its last market price (0 when flat).',
      }),
    )
    .withPanel(
      graph('Balance and equity', [target(Q.balance(t), '{{bot}} balance'), target(Q.equity(t), '{{bot}} equity')], {
        width: 24,
        description: 'Account balance and equity (balance plus unrealized P&L) over time.',
      }),
    )
    .withPanel(
      graph('Hourly growth', [target(Q.growthLastHour(t), '{{bot}}')], {
        unit: 'percentunit',
        bars: true,
        description: 'Growth of the balance in each full UTC hour.',
      }),
    )
    .withPanel(
      graph('Drawdown from 24 h high', [target(Q.drawdown(t), '{{bot}} balance'), target(Q.equityDrawdown(t), '{{bot}} equity')], {
        unit: 'percentunit',
        red: C.drawdownRatio,
        description: 'How far balance and equity are below their 24 h highs (PoseidonDrawdown, on the balance, above the red line).',
      }),
    )
    .withRow(row('Liquidity'))
    .withPanel(
      graph('Spread', [target(Q.spreadBySymbol(m), '{{symbol}}')], {
        unit: 'percentunit',
        width: 8,
        description: 'Relative bid/ask spread of the last snapshot.',
      }),
    )
    .withPanel(
      graph('Market depth', [target(Q.depthBySymbol(m), '{{symbol}}')], { width: 8, description: 'Order-book depth (quote currency).' }),
    )
    .withPanel(
      graph('Best bid / ask size', [target(Q.bidSizeBySymbol(m), '{{symbol}} bid'), target(Q.askSizeBySymbol(m), '{{symbol}} ask')], {
        width: 8,
        description: 'Size at the best bid and ask (base currency).',
      }),
    )
    .withPanel(
      graph('Volatility 24 h', [target(Q.volatilityBySymbol(m), '{{symbol}}')], {
        unit: 'percentunit',
        description: '24 h volatility reported with the snapshot.',
      }),
    )
    .withPanel(
      graph('Volume 24 h (market)', [target(Q.volume24hBySymbol(m), '{{symbol}}')], {
        description: 'Market 24 h volume (quote currency).',
      }),
    );
  return numbered(b);
}

export function performanceDashboard(): dashboard.Dashboard {
  const m = TARGET;
  const b = base(C.dashboardUids.performance, 'Poseidon / Performance', 'Trading loops, errors, runtime and storage health.', false)
    .withRow(row('Loops'))
    .withPanel(
      new heatmap.PanelBuilder()
        .title('Loop duration heatmap')
        .description('Distribution of loop run durations (all loops).')
        .datasource(DS)
        .span(12)
        .height(8)
        .calculate(false)
        .unit('s')
        .withTarget(queries([{ expr: Q.loopDurationHeatmap(m), legend: '{{le}}', format: prometheus.PromQueryFormat.Heatmap }])[0]!),
    )
    .withPanel(
      graph(
        'Loop duration percentiles',
        [0.5, 0.95, 0.99].map((q) => target(Q.loopDurationQuantile(q, m), `{{loop}} p${q * 100}`)),
        { unit: 's', description: 'p50, p95 and p99 of loop run durations by loop.' },
      ),
    )
    .withPanel(
      graph('Loop runs per minute', [target(Q.loopRunsPerMinute(m), '{{loop}} {{status}}')], {
        width: 8,
        description: 'Finished runs by loop and outcome.',
      }),
    )
    .withPanel(
      graph('Loop success ratio', [target(Q.loopSuccessRatio(m), '{{loop}}')], {
        unit: 'percentunit',
        width: 8,
        red: undefined,
        description: `Share of runs that succeeded over ${C.rateWindow} (PoseidonLoopFailureRatio below ${(1 - C.loopFailureRatio) * 100} %).`,
      }),
    )
    .withPanel(
      graph('Time since last success', [target(Q.loopSecondsSinceSuccess(m), '{{loop}}')], {
        unit: 's',
        width: 8,
        red: C.loopStalledSeconds,
        description: 'Seconds since each loop last succeeded (PoseidonTradingLoopStalled above the red line).',
      }),
    )
    .withPanel(graph('Active runs', [target(Q.loopsActive(m), '{{loop}}')], { description: 'Runs of each loop in progress.' }))
    .withPanel(
      graph('Performance metrics', [target(Q.performanceMetrics(m), '{{name}} ({{unit}})')], {
        description: 'Last value of each metric the bot gave to logPerformanceMetric.',
      }),
    )
    .withRow(row('Errors'))
    .withPanel(
      graph('Errors per minute by type', [target(Q.errorsPerMinuteByType(m), '{{error_type}}')], {
        description: `Error rate by type over ${C.rateWindow}.`,
      }),
    )
    .withPanel(
      graph('Error ratio', [target(Q.errorRatio(m), '{{bot}}')], {
        unit: 'percentunit',
        red: C.errorRatio,
        description: 'Errors as a share of all events (PoseidonHighErrorRate above the red line).',
      }),
    )
    .withRow(row('Runtime'))
    .withPanel(
      graph('CPU', [target(Q.cpuRatio(m), '{{bot}}')], {
        unit: 'percentunit',
        width: 8,
        description: 'CPU time per second of the bot process.',
      }),
    )
    .withPanel(
      graph('Memory', [target(Q.residentMemory(m), '{{bot}} resident'), target(Q.heapUsed(m), '{{bot}} heap used')], {
        unit: 'bytes',
        width: 8,
        description: 'Resident set size and V8 heap in use.',
      }),
    )
    .withPanel(
      graph('Event-loop lag p99', [target(Q.eventLoopLagP99(m), '{{bot}}')], {
        unit: 's',
        width: 8,
        description: 'p99 event-loop lag: high values delay every timer and request of the bot.',
      }),
    )
    .withRow(row('Storage and internals'))
    .withPanel(
      graph('Database size', [target(Q.dbSize(m), '{{bot}}')], {
        unit: 'bytes',
        width: 8,
        description: 'History database size, WAL included.',
      }),
    )
    .withPanel(
      graph('History rows', [target(Q.rowsWrittenPerMinute(m), '{{bot}} written/min'), target(Q.bufferedRows(m), '{{bot}} buffered')], {
        width: 8,
        description: 'Rows written per minute and rows waiting in the write buffer.',
      }),
    )
    .withPanel(
      graph(
        'Store failures in range',
        [target(Q.storeFailuresInRange(m), '{{bot}} failed flushes'), target(Q.droppedRowsInRange(m), '{{bot}} dropped rows')],
        { bars: true, width: 8, description: 'Failed flushes (retried) and dropped rows (lost) over the time range.' },
      ),
    )
    .withPanel(
      graph('Callback failures in range', [target(Q.callbackFailuresInRange(m), '{{kind}}')], {
        bars: true,
        description: 'User callbacks that threw or rejected, by kind.',
      }),
    )
    .withPanel(
      graph('Internal sink failures in range', [target(Q.sinkFailuresInRange(m), '{{sink}}')], {
        bars: true,
        description: 'Failures inside the monitor (store, telemetry, OTLP export, HTTP).',
      }),
    );
  return numbered(b);
}
