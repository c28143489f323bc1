// The three Grafana dashboards (summary, trading, performance) built with the Grafana Foundation SDK from the queries module.

import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { METRICS } from '../../src/telemetry/names.js';
import { STACK_CONFIG as C } from './config.js';
import { Q } from './queries.js';

/** Grafana's unit for basis points (it has none built in). */
const BPS = 'suffix: bps';

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

/**
 * The colours of a panel: green below `red` and red from it (an alert threshold); red below
 * `redBelow` and green from it; red below 0 and green from it (`sign`, for P&L); or one neutral
 * colour for a figure that is neither good nor bad (a balance).
 */
function thresholds(o: PanelOpts): dashboard.ThresholdsConfigBuilder {
  const base = null as unknown as number;
  const steps =
    o.redBelow !== undefined
      ? [
          { value: base, color: 'red' },
          { value: o.redBelow, color: 'green' },
        ]
      : o.sign
        ? [
            { value: base, color: 'red' },
            { value: 0, color: 'green' },
          ]
        : o.neutral
          ? [{ value: base, color: 'text' }]
          : [{ value: base, color: 'green' }, ...(o.red === undefined ? [] : [{ value: o.red, color: 'red' }])];
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

interface PanelOpts {
  readonly unit?: string;
  readonly width?: number;
  readonly height?: number;
  /** An alert threshold above which the figure is bad: drawn as a line on graphs. */
  readonly red?: number;
  /** An alert threshold below which the figure is bad: drawn as a line on graphs. */
  readonly redBelow?: number;
  /** Red when negative, green otherwise. */
  readonly sign?: boolean;
  /** One neutral colour. */
  readonly neutral?: boolean;
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
    .thresholds(thresholds(o));
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
    .thresholds(thresholds(o));
  if (o.red !== undefined || o.redBelow !== undefined)
    p.thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line));
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

/** Fields the SDK writes on every variable that the schema of the pinned Grafana does not have on a query variable. */
const UNKNOWN_VARIABLE_FIELDS = ['auto', 'auto_min', 'auto_count'] as const;

/** Panels get ids in the order they were added, so the JSON is the same on every run; fields Grafana does not know are dropped. */
function numbered(b: dashboard.DashboardBuilder): dashboard.Dashboard {
  const d = b.build();
  let id = 1;
  for (const p of d.panels ?? []) (p as { id?: number }).id = id++;
  for (const v of d.templating?.list ?? [])
    for (const field of UNKNOWN_VARIABLE_FIELDS) delete (v as unknown as Record<string, unknown>)[field];
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
      statPanel('Balance', [target(Q.balance(m), '{{bot}}')], {
        unit: C.currencyUnit,
        neutral: true,
        width: 3,
        description: 'Account balance last reported by the bot.',
      }),
    )
    .withPanel(
      statPanel('Equity', [target(Q.equity(m), '{{bot}}')], {
        unit: C.currencyUnit,
        neutral: true,
        width: 3,
        description: 'Balance plus the unrealized P&L of open positions at their last market price.',
      }),
    )
    .withPanel(
      statPanel('Unrealized P&L', [target(Q.unrealizedPnl(m), '{{bot}}')], {
        unit: C.currencyUnit,
        sign: true,
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
      statPanel('Volume 24 h', [target(Q.volume24h(m), 'volume')], {
        unit: C.currencyUnit,
        neutral: true,
        description: 'Notional traded in the last 24 h (quote currency).',
      }),
    )
    .withPanel(
      statPanel('Realized P&L 24 h', [target(Q.pnl24h(m), 'P&L')], {
        unit: C.currencyUnit,
        sign: true,
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
        unit: C.currencyUnit,
        description: 'The balance and the equity curve (balance plus unrealized P&L) of each bot.',
      }),
    )
    .withPanel(
      graph('Unrealized P&L', [target(Q.unrealizedPnl(m), '{{bot}}')], {
        unit: C.currencyUnit,
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
        unit: C.currencyUnit,
        description: 'Notional traded per minute by symbol (quote currency).',
      }),
    )
    .withPanel(
      graph('Trades per interval', [target(Q.tradesPerIntervalBySymbol(m), '{{symbol}}')], {
        bars: true,
        description: 'Trades by symbol: each bar counts the trades of its own interval.',
      }),
    )
    .withPanel(
      graph('Fees per interval', [target(Q.feesPerIntervalBySymbol(m), '{{symbol}}')], {
        unit: C.currencyUnit,
        bars: true,
        description: "Fees paid by symbol in each bar's interval (quote currency).",
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
        { unit: BPS, description: 'Adverse slippage in basis points: p50, p95 and p99 by symbol.' },
      ),
    )
    .withPanel(
      graph('Slippage p95 (alert signal)', [target(Q.slippageP95Recorded(m), '{{symbol}}')], {
        unit: BPS,
        red: C.slippageP95Bps,
        description: `The recorded p95 over ${C.rateWindow} that PoseidonHighSlippage watches (basis points).`,
      }),
    )
    .withRow(row('P&L and balance'))
    .withPanel(
      graph('Realized P&L by symbol', [target(Q.pnlBySymbol(m), '{{symbol}}')], {
        unit: C.currencyUnit,
        description: 'Realized P&L since the bot started, by symbol.',
      }),
    )
    .withPanel(
      graph('Unrealized P&L by symbol', [target(Q.unrealizedPnlBySymbol(m), '{{symbol}}')], {
        unit: C.currencyUnit,
        description: 'Unrealized P&L of the open position in each symbol at its last market price (0 when flat).',
      }),
    )
    .withPanel(
      graph('Balance and equity', [target(Q.balance(t), '{{bot}} balance'), target(Q.equity(t), '{{bot}} equity')], {
        unit: C.currencyUnit,
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
  const b = base(
    C.dashboardUids.performance,
    'Poseidon / Performance',
    'Trading loops, errors, resource utilization and storage health.',
    false,
  )
    .withRow(row('Loops'))
    .withPanel(
      new heatmap.PanelBuilder()
        .title('Loop duration heatmap')
        .description("Distribution of loop run durations (all loops): the runs of each cell's own interval.")
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
        redBelow: 1 - C.loopFailureRatio,
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
        description: 'Error rate by type.',
      }),
    )
    .withPanel(
      graph('Error ratio', [target(Q.errorRatio(m), '{{bot}}')], {
        unit: 'percentunit',
        red: C.errorRatio,
        description: 'Errors as a share of all events (PoseidonHighErrorRate above the red line).',
      }),
    )
    .withRow(row('Resource utilization'))
    .withPanel(
      graph('CPU', [target(Q.hostCpuRatio(m), '{{bot}} host'), target(Q.cpuRatio(m), '{{bot}} process')], {
        unit: 'percentunit',
        width: 8,
        description:
          "Host CPU busy over the last system sample (system_cpu_percent in history) and the bot process's CPU time per second (process_cpu_percent).",
      }),
    )
    .withPanel(
      graph(
        'Memory',
        [
          target(Q.hostMemoryUsed(m), '{{bot}} host used'),
          target(Q.residentMemory(m), '{{bot}} resident'),
          target(Q.heapUsed(m), '{{bot}} heap used'),
        ],
        {
          unit: 'bytes',
          width: 8,
          description:
            'Host memory in use (system_memory_used_bytes), the resident set size of the bot (process_rss_bytes) and its V8 heap in use (process_heap_used_bytes).',
        },
      ),
    )
    .withPanel(
      graph(
        'Network',
        [target(Q.networkReceiveBytesPerSecond(m), '{{bot}} received'), target(Q.networkTransmitBytesPerSecond(m), '{{bot}} sent')],
        {
          unit: 'Bps',
          width: 8,
          description:
            'Bytes per second received and sent over the host interfaces but loopback (network_received_bytes and network_sent_bytes per interval in history).',
        },
      ),
    )
    .withPanel(
      graph('Database size', [target(Q.dbSize(m), '{{bot}}')], {
        unit: 'bytes',
        width: 8,
        description: 'History database size, WAL included (database_size_bytes).',
      }),
    )
    .withPanel(
      graph(
        'Processes and handles',
        [target(Q.hostProcesses(m), '{{bot}} host processes'), target(Q.activeHandles(m), '{{bot}} handles')],
        {
          width: 8,
          description: 'Processes running on the host (active_processes) and handles the bot process holds open (active_handles).',
        },
      ),
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
      graph('History rows', [target(Q.rowsWrittenPerMinute(m), '{{bot}} written/min'), target(Q.bufferedRows(m), '{{bot}} buffered')], {
        width: 12,
        description: 'Rows written per minute and rows waiting in the write buffer.',
      }),
    )
    .withPanel(
      graph(
        'Store failures per interval',
        [target(Q.storeFailuresPerInterval(m), '{{bot}} failed flushes'), target(Q.droppedRowsPerInterval(m), '{{bot}} dropped rows')],
        { bars: true, width: 12, description: "Failed flushes (retried) and dropped rows (lost) in each bar's interval." },
      ),
    )
    .withPanel(
      graph('Callback failures per interval', [target(Q.callbackFailuresPerInterval(m), '{{kind}}')], {
        bars: true,
        description: "User callbacks that threw or rejected in each bar's interval, by kind.",
      }),
    )
    .withPanel(
      graph('Internal sink failures per interval', [target(Q.sinkFailuresPerInterval(m), '{{sink}}')], {
        bars: true,
        description: "Failures inside the monitor (store, telemetry, OTLP export, HTTP) in each bar's interval.",
      }),
    );
  return numbered(b);
}

/** The fleet table's columns: header, query, unit, in the order shown. */
const FLEET_COLUMNS: readonly { readonly header: string; readonly expr: (m: readonly string[]) => string; readonly unit: string }[] = [
  { header: 'Up', expr: Q.up, unit: 'bool_yes_no' },
  { header: 'Uptime', expr: Q.uptimeSeconds, unit: 's' },
  { header: 'Equity', expr: Q.equity, unit: C.currencyUnit },
  { header: 'Realized P&L 24 h', expr: Q.pnl24hByBot, unit: C.currencyUnit },
  { header: 'Trades 24 h', expr: Q.trades24hByBot, unit: 'none' },
  { header: 'Errors 24 h', expr: Q.errors24hByBot, unit: 'none' },
  { header: 'Since last trade', expr: Q.secondsSinceTrade, unit: 's' },
  { header: 'Since last loop success', expr: Q.secondsSinceLoopSuccess, unit: 's' },
  { header: 'Firing alerts', expr: Q.firingAlertsByBot, unit: 'none' },
];

/** Every bot at a glance: one sortable row per bot, linking to its Summary. */
export function fleetDashboard(): dashboard.Dashboard {
  const m = TARGET;
  const p = new table.PanelBuilder()
    .title('Bots')
    .description('One row per bot (click a column to sort); the bot name opens its Summary dashboard.')
    .datasource(DS)
    .span(24)
    .height(16)
    .unit('none')
    .showHeader(true);
  for (const [i, column] of FLEET_COLUMNS.entries()) {
    const refId = String.fromCharCode(65 + i);
    p.withTarget(
      new prometheus.DataqueryBuilder().datasource(DS).expr(column.expr(m)).instant().format(prometheus.PromQueryFormat.Table).refId(refId),
    );
    p.overrideByName(`Value #${refId}`, [
      { id: 'displayName', value: column.header },
      { id: 'unit', value: column.unit },
    ]);
  }
  p.withTransformation({ id: 'merge', options: {} });
  p.withTransformation({ id: 'organize', options: { excludeByName: { Time: true }, indexByName: { bot: 0, instance: 1 } } });
  p.overrideByName('bot', [
    {
      id: 'links',
      value: [
        {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template
          title: 'Summary of ${__value.text}',
          url: `/d/${C.dashboardUids.summary}?var-bot=\${__value.text}&\${__url_time_range}`,
        },
      ],
    },
  ]);
  const b = base(
    C.dashboardUids.fleet,
    'Poseidon / Fleet',
    'Every bot at a glance: up, equity, P&L, trades, errors and liveness.',
    false,
  ).withPanel(p);
  return numbered(b);
}
