// `poseidon-monitor report`: the summary, trading, performance and hourly views of a database, as tables or JSON.

import { Command } from 'commander';
import type { DashboardSummary, Drawdown, HourlyReport, PerformanceDashboard, TradingDashboard } from '../../analytics/dashboardTypes.js';
import { ManualClock } from '../../clock.js';
import { dashboardsOf, historySources, openStoredHistory, requireBotHistory, viewInstant } from '../internal/historyViews.js';
import { BOT_OPTION, type ConnectionFlags, DB_OPTION } from '../internal/openMonitor.js';
import { numberIn, oneOf, parseInstant } from '../internal/parse.js';
import { formatNumber, percent, renderPairs, renderTable, signedBar, sparkline } from '../internal/table.js';
import { UsageError } from '../internal/UsageError.js';

/** Flags of `report`. */
export interface ReportFlags extends ConnectionFlags {
  hour?: string;
  hours: number;
  format: 'table' | 'json';
  at?: number;
  /** Report every bot with history in the store, one after another. */
  allBots?: boolean;
}

/** What `report --format json` prints. */
export interface ReportJson {
  readonly asOf: string;
  readonly summary: DashboardSummary;
  readonly trading: TradingDashboard;
  readonly performance: PerformanceDashboard;
  readonly hourlyReport: HourlyReport;
}

export function reportCommand(): Command {
  return new Command('report')
    .description('print the summary, trading, performance and hourly views from the database')
    .option('--hour <YYYY-MM-DDTHH>', 'UTC hour of the hourly report (default: the hour in progress, so far)')
    .option('--hours <n>', 'window of the trading and performance views, in hours', numberIn(0.01, 8784, 'a number of hours'), 24)
    .option('--format <format>', 'table or json', oneOf(['table', 'json'] as const), 'table')
    .option('--at <time>', 'view the history as of this ISO time (default: now, or the newest row if that is later)', parseInstant)
    .option(...DB_OPTION)
    .option(...BOT_OPTION)
    .option('--all-bots', 'one report per bot with history in the store')
    .action((flags: ReportFlags) => {
      if (flags.allBots) runFleetReport(flags);
      else runReport(flags);
    });
}

/** `--all-bots`: each bot's report, as tables under its name, or one JSON object by bot name. */
export function runFleetReport(flags: ReportFlags): void {
  if (flags.bot !== undefined) throw new UsageError('--bot and --all-bots exclude each other');
  const { reader } = openStoredHistory(flags);
  let bots: string[];
  try {
    bots = reader.bots();
  } finally {
    reader.close();
  }
  if (bots.length === 0) throw new UsageError(`no bot has history in ${reader.location}`);
  const reports: Record<string, ReportJson> = {};
  for (const bot of bots) reports[bot] = buildReport({ ...flags, bot });
  if (flags.format === 'json') process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  else process.stdout.write(`${bots.map((bot) => `== bot ${bot} ==\n\n${renderReport(reports[bot]!)}`).join('\n\n')}\n`);
}

export function runReport(flags: ReportFlags): void {
  const report = buildReport(flags);
  process.stdout.write(flags.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report)}\n`);
}

/** One bot's report, read from its stored history (read-only). */
function buildReport(flags: ReportFlags): ReportJson {
  const opened = openStoredHistory(flags);
  const { reader } = opened;
  try {
    requireBotHistory(opened);
    const asOf = viewInstant(reader, flags.at);
    const views = dashboardsOf(historySources(reader, new ManualClock(asOf)), reader);
    return {
      asOf: new Date(asOf).toISOString(),
      summary: views.getDashboardSummary(),
      trading: views.getTradingDashboard({ hours: flags.hours }),
      performance: views.getPerformanceDashboard({ hours: flags.hours }),
      hourlyReport: views.getHourlyReport(flags.hour),
    };
  } finally {
    reader.close();
  }
}

function money(v: number | null): string {
  return v === null ? '-' : formatNumber(Math.round(v * 100) / 100);
}

function hourText(t: number | string): string {
  return `${new Date(t).toISOString().slice(0, 13).replace('T', ' ')}h`;
}

function drawdownText(d: Drawdown): string {
  return `${percent(-d.ratio)} (${formatNumber(-d.absolute)}) from ${hourText(d.peakAt)} to ${hourText(d.troughAt)}`;
}

/** The report as readable tables. */
export function renderReport(r: ReportJson): string {
  const s = r.summary;
  const t = r.trading.tradingStats;
  const sections: string[] = [];
  sections.push(
    `Summary as of ${r.asOf}\n${renderPairs([
      ['status', s.statusReasons.length > 0 ? `${s.systemStatus} (${s.statusReasons.join('; ')})` : s.systemStatus],
      ['trades (24 h)', s.totalTrades24h],
      ['volume (24 h)', s.totalVolume24h],
      ['realized P&L (24 h)', s.totalPnl24h],
      ['growth (24 h)', percent(s.growth24h)],
      ['errors (24 h)', s.errorCount24h],
      ['account balance', s.accountBalance],
      ['unrealized P&L', s.unrealizedPnl],
      ['equity', s.equity],
      ['equity growth (24 h)', percent(s.equityGrowth24h)],
    ])}`,
  );
  sections.push(
    `Trading, last ${r.trading.windowHours} h\n${renderPairs([
      ['trades', `${t.tradeCount} (${t.buyCount} buys, ${t.sellCount} sells)`],
      ['volume', t.volume],
      ['fees', t.fees],
      ['realized P&L', t.realizedPnl],
      ['win rate', percent(t.winRate, 1)],
      ['profit factor', t.profitFactor],
      ['expectancy per closed trade', t.expectancy],
      [
        'execution time p50 / p95 / p99 ms',
        [t.executionTimeMs.p50, t.executionTimeMs.p95, t.executionTimeMs.p99].map((v) => (v === null ? '-' : v.toFixed(0))).join(' / '),
      ],
      ['avg slippage bps', t.avgSlippageBps],
      ['max drawdown (balance)', t.maxDrawdown === null ? null : drawdownText(t.maxDrawdown)],
      ['max drawdown (equity)', t.maxEquityDrawdown === null ? null : drawdownText(t.maxEquityDrawdown)],
      ['Sharpe / Sortino (hourly, annualised)', [t.sharpeRatio, t.sortinoRatio].map((v) => (v === null ? '-' : v.toFixed(2))).join(' / ')],
    ])}\n\n${renderTable(
      ['symbol', 'trades', 'volume', 'fees', 'P&L', 'win rate', 'exec ms', 'slip bps'],
      t.bySymbol.map((b) => [
        b.symbol,
        b.tradeCount,
        b.volume,
        b.fees,
        b.realizedPnl,
        percent(b.winRate, 1),
        b.avgExecutionTimeMs,
        b.avgSlippageBps,
      ]),
    )}`,
  );
  const growth = r.trading.hourlyGrowth;
  if (growth.length > 0) {
    const ratios = growth.map((g) => g.growthRatio);
    const max = Math.max(0, ...ratios.map((g) => Math.abs(g ?? 0)));
    sections.push(
      `Hourly growth  ${sparkline(ratios)}\n${renderTable(
        ['hour (UTC)', 'opening', 'closing', 'growth', '', 'trades', 'P&L'],
        growth.map((g) => [
          `${g.hour.slice(0, 13).replace('T', ' ')}h${g.inProgress ? '*' : ''}`,
          g.openingBalance,
          g.closingBalance,
          percent(g.growthRatio, 3),
          signedBar(g.growthRatio, max),
          g.tradeCount,
          g.realizedPnl,
        ]),
      )}${growth.some((g) => g.inProgress) ? '\n* hour in progress' : ''}`,
    );
  }
  const p = r.performance;
  sections.push(
    `Performance, last ${p.windowHours} h\n${renderTable(
      ['loop', 'runs', 'failures', 'success', 'avg ms', 'p95 ms', 'max ms'],
      p.loopPerformance.map((l) => [
        l.loopName,
        l.runs,
        l.failures,
        percent(l.successRate, 1),
        l.avgDurationMs,
        l.p95DurationMs,
        l.maxDurationMs,
      ]),
    )}\n\n${renderTable(
      ['error type', 'count', 'per hour'],
      p.errorRates.byType.map((e) => [e.errorType, e.count, e.perHour]),
    )}`,
  );
  const h = r.hourlyReport;
  const hg = h.growthData;
  sections.push(
    `Hourly report ${h.reportHour.slice(0, 13).replace('T', ' ')}h UTC\n${renderPairs([
      ['growth', hg === null ? null : percent(hg.growthRatio, 3)],
      ['balance', hg === null ? null : `${money(hg.openingBalance)} → ${money(hg.closingBalance)}`],
      ['trades', h.tradesSummary.tradeCount],
      ['realized P&L', h.tradesSummary.realizedPnl],
      ['errors', h.errors.total],
      ['loop runs', h.loops.reduce((n, l) => n + l.runs, 0)],
    ])}`,
  );
  return sections.join('\n\n');
}
