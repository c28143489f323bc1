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

/** Average win and average loss (as a positive number) of closed trades. */
export interface WinLoss {
  readonly wins: number;
  readonly losses: number;
  readonly grossProfit: number;
  /** Positive. */
  readonly grossLoss: number;
}

/**
 * Expectancy per closed trade: winrate × average win − lossrate × average loss. Breakeven trades
 * count in the total but neither as win nor loss. Null with no closed trades.
 */
export function expectancy(w: WinLoss, closed = w.wins + w.losses): number | null {
  if (closed <= 0) return null;
  const avgWin = w.wins > 0 ? w.grossProfit / w.wins : 0;
  const avgLoss = w.losses > 0 ? w.grossLoss / w.losses : 0;
  return (w.wins / closed) * avgWin - (w.losses / closed) * avgLoss;
}

/** Expectancy ratio: (1 + average win ÷ average loss) × winrate − 1. Null without a loss. */
export function expectancyRatio(w: WinLoss, closed = w.wins + w.losses): number | null {
  if (closed <= 0 || w.losses === 0 || w.grossLoss === 0) return null;
  const avgWin = w.wins > 0 ? w.grossProfit / w.wins : 0;
  const avgLoss = w.grossLoss / w.losses;
  return (1 + avgWin / avgLoss) * (w.wins / closed) - 1;
}

const MS_PER_YEAR = 365 * 24 * 3_600_000;
export const HOURS_PER_YEAR = 365 * 24;

/** Compound annual growth rate from `start` to `end` over `elapsedMs`. Null when undefined. */
export function cagr(start: number, end: number, elapsedMs: number): number | null {
  if (start <= 0 || end < 0 || elapsedMs <= 0) return null;
  return (end / start) ** (MS_PER_YEAR / elapsedMs) - 1;
}

/** Simple returns of consecutive values: v[i] / v[i−1] − 1 (skipping non-positive bases). */
export function returns(values: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < values.length; i++) {
    const base = values[i - 1]!;
    if (base > 0) out.push(values[i]! / base - 1);
  }
  return out;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * Annualised Sharpe ratio of periodic returns, risk-free rate 0:
 * mean ÷ sample standard deviation × √(periods per year). Null with fewer than 2 returns or no variation.
 */
export function sharpe(rs: readonly number[], periodsPerYear = HOURS_PER_YEAR): number | null {
  if (rs.length < 2) return null;
  const m = mean(rs);
  let ss = 0;
  for (const r of rs) ss += (r - m) ** 2;
  const sd = Math.sqrt(ss / (rs.length - 1));
  return sd > 0 ? (m / sd) * Math.sqrt(periodsPerYear) : null;
}

/**
 * Annualised Sortino ratio, target 0: mean ÷ downside deviation × √(periods per year), where the
 * downside deviation is √(mean of min(r, 0)² over all returns). Null with fewer than 2 returns or no losing period.
 */
export function sortino(rs: readonly number[], periodsPerYear = HOURS_PER_YEAR): number | null {
  if (rs.length < 2) return null;
  let down = 0;
  for (const r of rs) if (r < 0) down += r * r;
  const dd = Math.sqrt(down / rs.length);
  return dd > 0 ? (mean(rs) / dd) * Math.sqrt(periodsPerYear) : null;
}

/**
 * Return of simply holding the starting inventory (cash plus the positions held at the start)
 * from the start prices to the end prices: (value at end − value at start) ÷ value at start.
 */
export function holdReturn(
  cash: number,
  inventory: Readonly<Record<string, number>>,
  startPrices: Readonly<Record<string, number>>,
  endPrices: Readonly<Record<string, number>>,
): number | null {
  let start = cash;
  let end = cash;
  for (const [symbol, qty] of Object.entries(inventory)) {
    const p0 = startPrices[symbol];
    const p1 = endPrices[symbol];
    if (p0 === undefined || p1 === undefined) return null;
    start += qty * p0;
    end += qty * p1;
  }
  return start > 0 ? (end - start) / start : null;
}
