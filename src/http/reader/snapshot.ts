// The live part of the dashboards (state, rates, the day window, the open hour), copied on the bot's thread in a few microseconds.

import type { AnalyticsQueries, MinuteTotals } from '../../analytics/AnalyticsQueries.js';
import type { DashboardSources } from '../../analytics/DashboardData.js';
import { DayWindow, MINUTE_MS, type WindowTotals } from '../../analytics/DayWindow.js';
import type { ResourceUtilization } from '../../analytics/dashboardTypes.js';
import { HOUR_MS, type OpenHour } from '../../analytics/GrowthTracker.js';
import type { RateWindow } from '../../analytics/RateCounter.js';
import type { StoreStats } from '../../internal/StoreStats.js';

/** What the bot's thread lends the reader: the dashboards' sources and the figures only it can read. */
export interface LiveSources {
  readonly dashboard: DashboardSources;
  /** This thread's CPU, memory and event-loop figures (the performance view's `resourceUtilization`). */
  resources(): ResourceUtilization;
  /**
   * Until the day window has been filled from history: the instant before which history holds
   * what the window lacks (see {@link LiveSnapshot.daySeedUntil}); null once it has been.
   */
  daySeedUntil(now: number): number | null;
}

/** What {@link DashboardData} reads of the monitor's state, as plain figures. */
export interface StateFigures {
  /** Null where no monitor runs (views of a stored history), as the uptime. */
  readonly running: boolean | null;
  readonly uptimeSeconds: number | null;
  readonly activeExecutionCount: number;
  readonly accountBalance: number | null;
  readonly unrealizedPnl: number;
}

/** Everything a view needs besides history, as plain data (structured-clone-able). */
export interface LiveSnapshot {
  readonly now: number;
  readonly state: StateFigures;
  /** `rates.window(now, 59)` and `rates.lastSixtySeconds(now)`: the only readings the views make. */
  readonly hourRates: RateWindow;
  readonly lastSixtySeconds: number;
  /** The day window's totals of the whole minutes of the last 24 h (the only sum the views take). */
  readonly dayTotals: WindowTotals;
  /** Non-null while the day window lacks history: the views add the stored minutes of [now − 24 h, daySeedUntil). */
  readonly daySeedUntil: number | null;
  /** null when hourly growth is off. */
  readonly openHour: OpenHour | null;
  /** False before the monitor has started its history store. */
  readonly historyRunning: boolean;
  readonly storeStats: StoreStats;
  /** Read only for the views that show it (it resets the CPU reading's baseline). */
  readonly resources: ResourceUtilization | null;
}

const DAY_MS = 24 * HOUR_MS;

/** The first whole minute of the last 24 h before `now`: where the summary's day-window sum starts. */
function dayStart(now: number): number {
  return Math.ceil((now - DAY_MS) / MINUTE_MS) * MINUTE_MS;
}

/** How long a reading of the bot thread's resources serves the snapshots that need one. */
export const RESOURCES_REUSE_MS = 1000;

/**
 * Takes snapshots, one per turn of the event loop: requests that arrive together (a dashboard
 * opening, a burst) share one copy, so the bot's thread pays for it once, not per request. The
 * resources reading (process memory and CPU, file sizes: the dearest part) is taken at most once
 * per {@link RESOURCES_REUSE_MS}, which a dashboard polled every few seconds does not notice.
 */
export class SnapshotTaker {
  private shared: LiveSnapshot | null = null;
  private resources: { readonly at: number; readonly value: ResourceUtilization } | null = null;
  private readonly live: LiveSources;

  constructor(live: LiveSources, now: () => number = () => performance.now()) {
    this.live = {
      dashboard: live.dashboard,
      daySeedUntil: (at) => live.daySeedUntil(at),
      resources: () => {
        const at = now();
        if (this.resources === null || at - this.resources.at >= RESOURCES_REUSE_MS) this.resources = { at, value: live.resources() };
        return this.resources.value;
      },
    };
  }

  take(withResources: boolean): LiveSnapshot {
    const shared = this.shared;
    if (shared !== null && (shared.resources !== null || !withResources)) return shared;
    if (shared === null) setImmediate(() => (this.shared = null));
    this.shared = takeSnapshot(this.live, withResources);
    return this.shared;
  }
}

export function takeSnapshot(live: LiveSources, withResources: boolean): LiveSnapshot {
  const s = live.dashboard;
  const now = s.clock.now();
  const state = s.state;
  return {
    now,
    state: {
      running: state.running,
      uptimeSeconds: state.uptimeSeconds(),
      activeExecutionCount: state.activeExecutionCount,
      accountBalance: state.accountBalance(),
      unrealizedPnl: state.unrealizedPnl().total,
    },
    hourRates: s.rates.window(now, 59),
    lastSixtySeconds: s.rates.lastSixtySeconds(now),
    dayTotals: s.day.sum(dayStart(now), now),
    daySeedUntil: live.daySeedUntil(now),
    openHour: s.growth?.openHour() ?? null,
    historyRunning: s.history.isRunning,
    storeStats: s.history.stats(),
    resources: withResources ? live.resources() : null,
  };
}

/**
 * The dashboards' sources over a snapshot: history from `analytics`, everything live from the copy.
 * The day window is the bot's totals plus, while the snapshot says the bot's window lacks history,
 * the stored minutes the dashboards read to fill it (`seed()`), as the bot's own window would add them.
 */
export function snapshotSources(snapshot: LiveSnapshot, analytics: () => AnalyticsQueries): DashboardSources {
  let stored: readonly MinuteTotals[] = [];
  const day: DashboardSources['day'] = {
    // Already filled: an empty range, so the dashboards read nothing to fill it again.
    firstRecorded: snapshot.daySeedUntil ?? snapshot.now - DAY_MS,
    seed: (rows) => {
      if (snapshot.daySeedUntil !== null) stored = rows;
    },
    sum: () => {
      const totals = { ...snapshot.dayTotals };
      if (stored.length > 0) {
        const window = new DayWindow();
        window.seed(stored);
        const seeded = window.sum(dayStart(snapshot.now), snapshot.now);
        for (const k of Object.keys(totals) as (keyof WindowTotals)[]) totals[k] += seeded[k];
      }
      return totals;
    },
  };
  const { state, openHour } = snapshot;
  return {
    clock: { now: () => snapshot.now, setTimeout: refuseTimer, clearTimeout: () => undefined },
    history: { isRunning: snapshot.historyRunning, analytics, stats: () => snapshot.storeStats },
    rates: { window: () => ({ ...snapshot.hourRates }), lastSixtySeconds: () => snapshot.lastSixtySeconds },
    day,
    growth: openHour === null ? null : { openHour: () => openHour },
    state: {
      running: state.running,
      uptimeSeconds: () => state.uptimeSeconds,
      activeExecutionCount: state.activeExecutionCount,
      accountBalance: () => state.accountBalance,
      unrealizedPnl: () => ({ total: state.unrealizedPnl, bySymbol: [] }),
    },
    // A failed read of history fails the request (the API answers 500) instead of being counted here.
    diagnostics: {
      sinkFailed: (_where, error) => {
        throw error;
      },
    },
    ...(snapshot.resources === null ? {} : { resources: () => snapshot.resources! }),
  };
}

function refuseTimer(): never {
  throw new Error('a snapshot clock has no timers');
}
