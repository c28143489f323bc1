// The live part of the dashboards (state, rates, the day window, the open hour), copied on the bot's thread in a few microseconds.

import type { MinuteTotals, TimeRange } from '../../analytics/AnalyticsQueries.js';
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

/** Everything a view needs besides history, as plain data (structured-clone-able). */
export interface LiveSnapshot {
  readonly now: number;
  readonly state: ReturnType<DashboardSources['state']>;
  /** `rates.window(now, 59)` and `rates.lastFullMinute(now)`: the only readings the views make. */
  readonly hourRates: RateWindow;
  readonly lastMinute: RateWindow;
  /** The day window's totals of the whole minutes of the last 24 h (the only sum the views take). */
  readonly dayTotals: WindowTotals;
  /** Non-null while the day window lacks history: the reader adds the stored minutes of [now − 24 h, daySeedUntil). */
  readonly daySeedUntil: number | null;
  /** null when hourly growth is off. */
  readonly openHour: OpenHour | null;
  readonly storeStats: StoreStats | null;
  /** Read only for the views that show it (it resets the CPU reading's baseline). */
  readonly resources: ResourceUtilization | null;
}

const DAY_MS = 24 * HOUR_MS;

/** The first whole minute of the last 24 h before `now`: where the summary's day-window sum starts. */
function dayStart(now: number): number {
  return Math.ceil((now - DAY_MS) / MINUTE_MS) * MINUTE_MS;
}

/**
 * Takes snapshots, one per turn of the event loop: requests that arrive together (a dashboard
 * opening, a burst) share one copy, so the bot's thread pays for it once, not per request.
 */
export class SnapshotTaker {
  private shared: LiveSnapshot | null = null;

  constructor(private readonly live: LiveSources) {}

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
  return {
    now,
    state: s.state(),
    hourRates: s.rates.window(now, 59),
    lastMinute: s.rates.lastFullMinute(now),
    dayTotals: s.day.sum(dayStart(now), now),
    daySeedUntil: live.daySeedUntil(now),
    openHour: s.growth?.openHour() ?? null,
    storeStats: s.storeStats(),
    resources: withResources ? live.resources() : null,
  };
}

/** The range of history that fills the day window of a snapshot taken at `now`, or null when none is needed. */
export function daySeedRange(snapshot: LiveSnapshot): TimeRange | null {
  return snapshot.daySeedUntil === null ? null : { since: snapshot.now - DAY_MS, until: snapshot.daySeedUntil };
}

/**
 * The dashboards' sources over a snapshot: history from `queries`, everything live from the copy.
 * `seed` (the stored minutes of {@link daySeedRange}) is added to the day totals as the bot's own
 * window would add them once filled.
 */
export function snapshotSources(
  snapshot: LiveSnapshot,
  queries: DashboardSources['queries'],
  seed: readonly MinuteTotals[] | null,
): DashboardSources {
  const dayTotals = (): WindowTotals => {
    const totals = { ...snapshot.dayTotals };
    if (seed !== null) {
      const window = new DayWindow();
      window.seed(seed);
      const stored = window.sum(dayStart(snapshot.now), snapshot.now);
      for (const k of Object.keys(totals) as (keyof WindowTotals)[]) totals[k] += stored[k];
    }
    return totals;
  };
  const openHour = snapshot.openHour;
  return {
    clock: { now: () => snapshot.now, setTimeout: refuseTimer, clearTimeout: () => undefined },
    queries,
    rates: { window: () => ({ ...snapshot.hourRates }), lastFullMinute: () => ({ ...snapshot.lastMinute }) },
    day: { sum: dayTotals },
    growth: openHour === null ? null : { openHour: () => openHour },
    state: () => snapshot.state,
    storeStats: () => snapshot.storeStats,
    ...(snapshot.resources === null ? {} : { resources: () => snapshot.resources! }),
  };
}

function refuseTimer(): never {
  throw new Error('a snapshot clock has no timers');
}
