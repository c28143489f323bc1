// The facade's dashboard methods as the CLI uses them, checked once so a build without them fails clearly.

import type {
  DashboardSummary,
  HourlyReport,
  PerformanceDashboard,
  RealTimeMetrics,
  TradingDashboard,
} from '../../analytics/dashboardTypes.js';
import type { MonitoringSystem } from '../../MonitoringSystem.js';

/** The dashboard views of `MonitoringSystem`; each may answer synchronously or with a promise. */
export interface DashboardViews {
  getDashboardSummary(): DashboardSummary | Promise<DashboardSummary>;
  getTradingDashboard(options?: { hours?: number }): TradingDashboard | Promise<TradingDashboard>;
  getPerformanceDashboard(options?: { hours?: number }): PerformanceDashboard | Promise<PerformanceDashboard>;
  getRealTimeMetrics(): RealTimeMetrics | Promise<RealTimeMetrics>;
  getHourlyReport(hour?: Date | number | string): HourlyReport | Promise<HourlyReport>;
  exportDashboardData(format: 'json' | 'csv'): string | Promise<string>;
}

const METHODS = [
  'getDashboardSummary',
  'getTradingDashboard',
  'getPerformanceDashboard',
  'getRealTimeMetrics',
  'getHourlyReport',
  'exportDashboardData',
] as const satisfies readonly (keyof DashboardViews)[];

/**
 * The dashboard methods of `monitor`, bound. Reached through a structural check rather than a
 * direct call so the CLI names exactly which method is missing instead of failing with
 * "is not a function" deep inside a command.
 */
export function dashboardViews(monitor: MonitoringSystem): DashboardViews {
  const m = monitor as unknown as Partial<Record<(typeof METHODS)[number], (...args: never[]) => unknown>>;
  const missing = METHODS.filter((name) => typeof m[name] !== 'function');
  if (missing.length > 0) throw new Error(`this build of poseidon-monitor has no ${missing.join(', ')} on MonitoringSystem`);
  const views = {} as Record<string, unknown>;
  for (const name of METHODS) views[name] = m[name]!.bind(monitor);
  return views as unknown as DashboardViews;
}
