// The per-symbol tables of the API capped: the largest symbols by volume, the rest summed in one row.

import { type SymbolTradeAggregate, sumAggregates } from './AnalyticsQueries.js';

/** The symbol of the row that sums the symbols left out of a capped per-symbol table. */
export const OTHER_SYMBOLS = '__other__';

/** The `limit` symbols of largest volume (ties: symbol order), in their order, then the rest summed as {@link OTHER_SYMBOLS}. */
export function capSymbols(symbols: readonly SymbolTradeAggregate[], limit: number | null): readonly SymbolTradeAggregate[] {
  if (limit === null || symbols.length <= limit) return symbols;
  const keep = new Set(
    symbols
      .map((s, i) => ({ volume: s.volume, i }))
      .sort((x, y) => y.volume - x.volume || x.i - y.i)
      .slice(0, limit)
      .map((x) => x.i),
  );
  return [...symbols.filter((_, i) => keep.has(i)), { symbol: OTHER_SYMBOLS, ...sumAggregates(symbols.filter((_, i) => !keep.has(i))) }];
}
