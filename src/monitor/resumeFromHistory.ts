// Resuming from history at start: the positions and the open growth hour an earlier run of this bot left.

import type { GrowthTracker } from '../analytics/GrowthTracker.js';
import { hourStartOf } from '../analytics/GrowthTracker.js';
import type { PnlLedger } from '../analytics/PnlLedger.js';
import type { Clock } from '../clock.js';
import type { Diagnostics } from '../internal/Diagnostics.js';
import type { HistoryStore } from '../store/HistoryStore.js';

/** Restores positions and the open growth hour from `store`; a failed read is counted, never thrown. */
export function resumeFromHistory(
  store: HistoryStore,
  ledger: PnlLedger,
  growth: GrowthTracker | null,
  diagnostics: Diagnostics,
  clock: Clock,
): void {
  restorePositions(store, ledger, diagnostics, clock);
  resumeGrowthHour(store, growth, diagnostics, clock);
}

/**
 * Restores open positions from history (one row per symbol, kept by the writer), so a sell after a
 * restart realizes against the cost of the buys made before it. Skipped when this run has already traded
 * (trades logged before `start()`).
 */
function restorePositions(store: HistoryStore, ledger: PnlLedger, diagnostics: Diagnostics, clock: Clock): void {
  if (!store.isRunning || ledger.positionsList().length > 0) return;
  try {
    for (const position of store.positions()) ledger.restore(position);
  } catch (error) {
    diagnostics.sinkFailed('ledger', error, clock.now());
  }
}

/**
 * Continues the UTC hour an earlier run left open: its trades, fees, volume and realized P&L are
 * read back from the history, and the balance carries over from the last stored hour. Skipped
 * when this run has already counted something (events logged before `start()`).
 */
function resumeGrowthHour(store: HistoryStore, growth: GrowthTracker | null, diagnostics: Diagnostics, clock: Clock): void {
  if (growth === null || !store.isRunning) return;
  const open = growth.openHour();
  if (open.tradeCount > 0 || open.openingBalance !== null) return;
  try {
    const hourStart = hourStartOf(clock.now());
    const previous = store.lastGrowthBefore(hourStart);
    const a = store.analytics().tradeAggregate({ since: hourStart, until: clock.now() + 1 });
    if (previous === null && a.tradeCount === 0) return;
    const balance = previous?.closingBalance ?? null;
    growth.resume({
      hourStart,
      openingBalance: balance,
      currentBalance: balance,
      openingEquity: previous?.closingEquity ?? balance,
      tradeCount: a.tradeCount,
      realizedPnl: a.realizedPnl,
      fees: a.fees,
      volume: a.volume,
    });
  } catch (error) {
    diagnostics.sinkFailed('growth', error, clock.now());
  }
}
