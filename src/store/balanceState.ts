// BalanceState: the account balance history keeps for a restart (the last one, and the one its hour opened with), folded from balance updates.

import { hourStartOf } from '../analytics/GrowthTracker.js';
import { EventType, type MonitorEvent } from '../events/types.js';

/**
 * What a restart needs of the balances given to `updateAccountBalance`: the last one, when, and the
 * balance the UTC hour of that update opened with. Every backend keeps one per bot, written in the
 * batch that holds the update, so growth continues across a restart from what the bot said.
 */
export interface BalanceState {
  /** The last balance given. */
  readonly balance: number;
  /** When it was given (epoch ms). */
  readonly at: number;
  /** The balance the UTC hour of `at` opened with: the last one given before that hour, else the first one of it. */
  readonly openingBalance: number;
}

/** The balance a `balance_updated` system event gives, or null for any other event. */
export function balanceOf(e: MonitorEvent): number | null {
  if (e.eventType !== EventType.SYSTEM_EVENT || e.kind !== 'balance_updated' || e.data === null) return null;
  const balance = e.data.balance;
  return typeof balance === 'number' ? balance : null;
}

/**
 * `previous` with the balance `balance` given at `at`. An update in another hour than the last one
 * (a later hour, or an earlier one after the clock was set back) opens that hour with the last balance.
 */
export function nextBalanceState(previous: BalanceState | null, balance: number, at: number): BalanceState {
  if (previous === null) return { balance, at, openingBalance: balance };
  const sameHour = hourStartOf(at) === hourStartOf(previous.at);
  return { balance, at, openingBalance: sameHour ? previous.openingBalance : previous.balance };
}
