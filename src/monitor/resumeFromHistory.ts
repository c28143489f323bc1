// Resuming from history at start: the positions, the account balance and the growth hour an earlier run of this bot left.

import type { GrowthTracker, ResumedHour } from '../analytics/GrowthTracker.js';
import { HOUR_MS, hourStartOf } from '../analytics/GrowthTracker.js';
import type { PnlLedger } from '../analytics/PnlLedger.js';
import type { Clock } from '../clock.js';
import type { GrowthEvent } from '../events/types.js';
import type { Diagnostics } from '../internal/Diagnostics.js';
import type { BalanceState } from '../store/balanceState.js';
import type { HistoryStore } from '../store/HistoryStore.js';
import type { MonitorState } from './MonitorState.js';

/** Restores positions, the last balance and the growth hour from `store`; a failed read is counted, never thrown. */
export function resumeFromHistory(
  store: HistoryStore,
  state: MonitorState,
  growth: GrowthTracker | null,
  diagnostics: Diagnostics,
  clock: Clock,
): void {
  restorePositions(store, state.ledger, diagnostics, clock);
  if (!store.isRunning) return;
  let balance: BalanceState | null;
  try {
    balance = store.lastBalance();
  } catch (error) {
    diagnostics.sinkFailed('growth', error, clock.now());
    return;
  }
  // The last balance given stands until the bot gives another (unless it gave one before start()).
  if (balance !== null && state.balance === null) state.balance = balance.balance;
  resumeGrowthHour(store, balance, growth, diagnostics, clock);
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
 * Continues the UTC hour the earlier run stopped in: the later of the hour of its last balance
 * update and the hour after its last growth row. Its trades, fees, volume and realized P&L are read
 * back from history, its balances from the stored balance state; when it is over it is closed now.
 * Skipped when this run has already counted something (events logged before `start()`).
 */
function resumeGrowthHour(
  store: HistoryStore,
  balance: BalanceState | null,
  growth: GrowthTracker | null,
  diagnostics: Diagnostics,
  clock: Clock,
): void {
  if (growth === null) return;
  const open = growth.openHour();
  if (open.tradeCount > 0 || open.openingBalance !== null) return;
  try {
    const now = clock.now();
    const current = hourStartOf(now);
    const previous = store.lastGrowthBefore(current);
    const resumed = balance === null ? hourFromRows(previous, current) : hourFromBalance(balance, previous, current);
    if (resumed === null) return;
    const until = resumed.hourStart < current ? resumed.hourStart + HOUR_MS : now + 1;
    const a = store.analytics().tradeAggregate({ since: resumed.hourStart, until });
    if (resumed.openingBalance === null && a.tradeCount === 0) return;
    growth.resume({ ...resumed, tradeCount: a.tradeCount, realizedPnl: a.realizedPnl, fees: a.fees, volume: a.volume });
  } catch (error) {
    diagnostics.sinkFailed('growth', error, clock.now());
  }
}

type HourBalances = Pick<ResumedHour, 'hourStart' | 'openingBalance' | 'currentBalance' | 'openingEquity'>;

/** The hour the earlier run stopped in, from its stored balances. */
function hourFromBalance(balance: BalanceState, previous: GrowthEvent | null, current: number): HourBalances {
  const balanceHour = hourStartOf(balance.at);
  const hourStart = Math.max(balanceHour, previous === null ? balanceHour : previous.hourStart + HOUR_MS);
  const openingBalance = hourStart === balanceHour ? balance.openingBalance : balance.balance;
  // The equity the hour opened with is the closing equity of the hour before, when that hour has a row.
  const closedBefore = previous !== null && previous.hourStart === hourStart - HOUR_MS ? previous.closingEquity : null;
  return {
    hourStart,
    openingBalance,
    currentBalance: balance.balance,
    openingEquity: closedBefore ?? (hourStart === current ? openingBalance : null),
  };
}

/** The current hour with the balance the last growth row closed with: history written before balances were stored. */
function hourFromRows(previous: GrowthEvent | null, current: number): HourBalances {
  const closing = previous?.closingBalance ?? null;
  return { hourStart: current, openingBalance: closing, currentBalance: closing, openingEquity: previous?.closingEquity ?? closing };
}
