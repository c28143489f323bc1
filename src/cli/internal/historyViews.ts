// The dashboards over a stored history with no monitor running: what `report`, `export` and `serve` show, read-only.

import type { AnalyticsQueries, TimeRange } from '../../analytics/AnalyticsQueries.js';
import { DashboardData } from '../../analytics/DashboardData.js';
import { DayWindow, MINUTE_MS } from '../../analytics/DayWindow.js';
import type { ResourceUtilization } from '../../analytics/dashboardTypes.js';
import type { RateWindow } from '../../analytics/RateCounter.js';
import type { Clock } from '../../clock.js';
import type { MonitoringConfig } from '../../config/MonitoringConfig.js';
import type { GrowthEvent } from '../../events/types.js';
import { type LiveSources, snapshotSources, takeSnapshot } from '../../http/reader/snapshot.js';
import { HistoryUnavailableError, openHistoryReader, type ReadOnlyHistory } from '../../store/openHistoryReader.js';
import { normalizeQuery, PERFORMANCE_FILTERS, type StoredKind } from '../../store/queries.js';
import { SYSTEM_METRICS, type SystemMetricKey } from '../../system/SystemMetrics.js';
import { type ConnectionFlags, configFrom } from './openMonitor.js';
import { UsageError } from './UsageError.js';

/** A store opened read-only for a command, with the configuration that named it. */
export interface OpenedHistory {
  readonly config: MonitoringConfig;
  readonly reader: ReadOnlyHistory;
}

/**
 * The store the flags and POSEIDON_* variables name, opened read-only for `config.botName` (no
 * writer, no lease, no thread, nothing written). A store that cannot be read is a {@link UsageError}.
 */
export function openStoredHistory(flags: ConnectionFlags): OpenedHistory {
  const config = configFrom(flags);
  try {
    return { config, reader: openHistoryReader(config) };
  } catch (error) {
    if (error instanceof HistoryUnavailableError) {
      throw new UsageError(
        `${error.message}: run "poseidon-monitor demo" first, or point --db (or POSEIDON_DB_URL, or POSEIDON_STORAGE and POSEIDON_STORAGE_PATH) at a bot's history`,
      );
    }
    throw error;
  }
}

/**
 * Refuses a bot with no rows in a store where other bots have some (a wrong `--bot`, or a default
 * bot name that is not the writer's): its views would be empty without saying why.
 */
export function requireBotHistory(opened: OpenedHistory): void {
  const { reader, config } = opened;
  if (latestActivity(reader) !== null) return;
  const bots = reader.bots();
  if (bots.length === 0 || bots.includes(config.botName)) return;
  throw new UsageError(
    `no history of bot ${JSON.stringify(config.botName)} in ${reader.location}; bots with history there: ${bots.join(', ')} (choose one with --bot)`,
  );
}

const KINDS: readonly StoredKind[] = ['trades', 'loops', 'errors', 'growth', 'performance', 'liquidity'];

/** The newest timestamp of the bot's rows in any table and of its last balance, or null when it has none. */
export function latestActivity(reader: ReadOnlyHistory): number | null {
  const newest = normalizeQuery({ limit: 1 }, []);
  let latest = reader.lastBalance()?.at ?? null;
  for (const kind of KINDS) {
    const t = reader.query(kind, newest)[0]?.timestamp;
    if (t !== undefined && (latest === null || t > latest)) latest = t;
  }
  return latest;
}

/**
 * The instant a history is viewed as of: `at` when given, else the later of now and its newest row
 * (a demo run at `--speed 60` stamps its rows up to an hour ahead per real minute, and "the last
 * 24 hours" counted back from the wall clock would miss them; a real bot's rows are never ahead).
 */
export function viewInstant(reader: ReadOnlyHistory, at: number | undefined): number {
  return at ?? Math.max(Date.now(), latestActivity(reader) ?? 0);
}

/**
 * The dashboards' sources over a stored history, read on `clock`: every figure from the rows, none
 * from this process. No monitor runs, so there is no uptime and no running state; the balance is
 * the last one the bot gave (or, viewed as of an earlier time, the newest growth row's closing
 * one), the unrealized P&L the newest growth row's closing equity less its balance; the last-hour
 * counts are the trades, loop runs and errors stored (performance and liquidity rows are not
 * counted as events); the resource figures are the bot's last system metrics sample.
 */
export function historySources(reader: ReadOnlyHistory, clock: Clock): LiveSources {
  const analytics = (): AnalyticsQueries => reader.analytics();
  const lastClose = (): GrowthEvent | null => reader.query('growth', normalizeQuery({ until: clock.now() + 1, limit: 1 }, []))[0] ?? null;
  const balance = (): number | null => {
    const last = reader.lastBalance();
    return last !== null && last.at <= clock.now() ? last.balance : (lastClose()?.closingBalance ?? null);
  };
  return {
    dashboard: {
      clock,
      history: {
        isRunning: true,
        analytics,
        stats: () => ({
          dbSizeBytes: reader.sizeBytes(),
          bufferedRows: 0,
          writeFailures: 0,
          droppedRows: 0,
          rowsWritten: 0,
          flushes: 0,
          lastFlushDurationMs: 0,
          lastFlushRows: 0,
        }),
      },
      rates: {
        // As the live counter: the whole minutes before now and the minute in progress; the seconds likewise.
        window: (now, minutes) => storedCounts(analytics(), { since: (Math.floor(now / MINUTE_MS) - minutes) * MINUTE_MS, until: now + 1 }),
        lastSixtySeconds: (now) => storedCounts(analytics(), { since: (Math.floor(now / 1000) - 59) * 1000, until: now + 1 }).events,
      },
      // Empty: the views fill the last day from history (daySeedUntil below), at every reading.
      day: new DayWindow(),
      growth: null,
      state: {
        running: null,
        uptimeSeconds: () => null,
        activeExecutionCount: 0,
        accountBalance: balance,
        unrealizedPnl: () => {
          const g = lastClose();
          return { total: g === null || g.closingEquity === null ? 0 : g.closingEquity - g.closingBalance, bySymbol: [] };
        },
      },
      diagnostics: {
        sinkFailed: (_where, error) => {
          throw error;
        },
      },
    },
    resources: () => storedResources(reader, clock.now()),
    daySeedUntil: (now) => now + 1,
  };
}

/**
 * The resource figures of the bot's last system metrics sample at or before `now` (null where none
 * was recorded); this process's CPU share and event-loop lag are not the bot's, so they are null.
 */
function storedResources(reader: ReadOnlyHistory, now: number): ResourceUtilization {
  const last = (key: SystemMetricKey) =>
    reader.query(
      'performance',
      normalizeQuery({ metricName: SYSTEM_METRICS[key].name, until: now + 1, limit: 1 }, PERFORMANCE_FILTERS),
    )[0] ?? null;
  const value = (key: SystemMetricKey) => last(key)?.value ?? null;
  const cpu = last('cpuPercent');
  return {
    cpuRatio: null,
    rssBytes: value('rssBytes'),
    heapUsedBytes: value('heapUsedBytes'),
    eventLoopLagP99Ms: null,
    dbSizeBytes: reader.sizeBytes(),
    systemSampledAt: cpu === null ? null : new Date(cpu.timestamp).toISOString(),
    systemCpuPercent: cpu?.value ?? null,
    systemMemoryUsedBytes: value('memoryUsedBytes'),
    systemMemoryPercent: value('memoryPercent'),
    networkReceivedBytes: value('networkReceivedBytes'),
    networkSentBytes: value('networkSentBytes'),
    activeProcesses: value('activeProcesses'),
    activeHandles: value('activeHandles'),
  };
}

/** Trades, loop runs and errors stored in `range`, as the live rate counter counts them. */
function storedCounts(q: AnalyticsQueries, range: TimeRange): RateWindow {
  const trades = q.tradeAggregate(range).tradeCount;
  let errors = 0;
  let criticalErrors = 0;
  for (const e of q.errorCounts(range)) {
    errors += e.count;
    if (e.severity === 'critical') criticalErrors += e.count;
  }
  const runs = q.loopAggregates(range).reduce((n, l) => n + l.runs, 0);
  return { events: trades + errors + runs, trades, errors, criticalErrors };
}

/** The dashboards over `live` as they read now (one consistent copy of the figures). */
export function dashboardsOf(live: LiveSources, reader: ReadOnlyHistory, symbolLimit: number | null = null): DashboardData {
  return new DashboardData(
    snapshotSources(takeSnapshot(live, true), () => reader.analytics()),
    { symbolLimit },
  );
}
