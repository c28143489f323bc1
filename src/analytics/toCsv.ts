// Renders the dashboard export as CSV: one section per table, each with its own header row.

import type { DashboardExport } from './dashboardTypes.js';

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Quote when needed, and defuse spreadsheet formulas (a cell starting with = + - @ is data, not code).
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function table(name: string, rows: readonly Record<string, unknown>[]): string[] {
  const out = [`# ${name}`];
  if (rows.length === 0) return [...out, ''];
  const columns = Object.keys(rows[0]!).filter((c) => rows[0]![c] !== undefined);
  out.push(columns.join(','));
  for (const row of rows) out.push(columns.map((c) => cell(row[c])).join(','));
  out.push('');
  return out;
}

export function toCsv(data: DashboardExport): string {
  const { summary, trading, performance, realTime, hourlyReport } = data;
  const lines = [
    `# poseidon-monitor export,schema_version=${data.schemaVersion},exported_at=${data.exportedAt}`,
    '',
    ...table('summary', [{ ...summary, statusReasons: summary.statusReasons.join('; ') }]),
    ...table('real_time', [{ ...realTime }]),
    ...table('trading_stats', [
      {
        ...trading.tradingStats,
        bySymbol: undefined,
        executionTimeMs: undefined,
        maxDrawdown: undefined,
        maxEquityDrawdown: undefined,
        p50ExecutionTimeMs: trading.tradingStats.executionTimeMs.p50,
        p95ExecutionTimeMs: trading.tradingStats.executionTimeMs.p95,
        p99ExecutionTimeMs: trading.tradingStats.executionTimeMs.p99,
        maxDrawdownRatio: trading.tradingStats.maxDrawdown?.ratio ?? null,
        maxEquityDrawdownRatio: trading.tradingStats.maxEquityDrawdown?.ratio ?? null,
      },
    ]),
    ...table(
      'trading_by_symbol',
      trading.tradingStats.bySymbol.map((s) => ({ ...s })),
    ),
    ...table('recent_trades', trading.recentTrades),
    ...table(
      'hourly_growth',
      trading.hourlyGrowth.map((h) => ({ ...h })),
    ),
    ...table(
      'loop_performance',
      performance.loopPerformance.map((l) => ({ ...l })),
    ),
    ...table(
      'errors_by_type',
      performance.errorRates.byType.map((e) => ({ ...e })),
    ),
    ...table('resource_utilization', [{ ...performance.resourceUtilization }]),
    ...table(
      'hourly_report_loops',
      hourlyReport.loops.map((l) => ({ ...l, reportHour: hourlyReport.reportHour })),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
