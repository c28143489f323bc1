// Pure statistics used by the dashboards: percentiles, drawdown and ratios, each documented once.

/** Nearest-rank percentile (0–100) of ascending-sorted values; null for an empty list. */
export function nearestRank(sorted: readonly number[], percentile: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Row offset (0-based) of the nearest-rank percentile among `count` sorted rows. */
export function nearestRankOffset(count: number, percentile: number): number {
  return Math.min(count, Math.max(1, Math.ceil((percentile / 100) * count))) - 1;
}

export interface Drawdown {
  /** Largest fall from a running peak, in currency. */
  readonly absolute: number;
  /** That fall as a ratio of the peak (0.1 = 10 %). */
  readonly ratio: number;
  readonly peakAt: number;
  readonly troughAt: number;
}

/**
 * Maximum drawdown of a time series: the largest drop from a running peak to a later trough,
 * chosen by ratio. Null when the series never falls (or has fewer than two points).
 */
export function maxDrawdown(points: readonly { readonly t: number; readonly v: number }[]): Drawdown | null {
  let best: Drawdown | null = null;
  let peak = Number.NEGATIVE_INFINITY;
  let peakAt = 0;
  for (const p of points) {
    if (p.v > peak) {
      peak = p.v;
      peakAt = p.t;
      continue;
    }
    const absolute = peak - p.v;
    const ratio = peak > 0 ? absolute / peak : 0;
    if (absolute > 0 && (best === null || ratio > best.ratio || (ratio === best.ratio && absolute > best.absolute))) {
      best = { absolute, ratio, peakAt, troughAt: p.t };
    }
  }
  return best;
}

/** wins ÷ closed trades (0–1), or null with no closed trades. */
export function winRate(wins: number, closed: number): number | null {
  return closed > 0 ? wins / closed : null;
}

/** gross profit ÷ |gross loss|; null when there are no losses (undefined ratio). */
export function profitFactor(grossProfit: number, grossLoss: number): number | null {
  return grossLoss > 0 ? grossProfit / grossLoss : null;
}

/** Rounds for display-free JSON: keeps figures exact to 1e-9 without float noise. */
export function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
