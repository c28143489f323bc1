// MarketSimulator: per-symbol prices as geometric random walks, and order-book snapshots around them.

import type { SeededRandom } from './SeededRandom.js';

/** Rough starting prices (USDT) of well-known pairs; other symbols start at 10. */
export const STARTING_PRICES: Readonly<Record<string, number>> = {
  BTCUSDT: 45_000,
  ETHUSDT: 2_500,
  SOLUSDT: 100,
  BNBUSDT: 300,
  XRPUSDT: 0.6,
  ADAUSDT: 0.5,
  DOGEUSDT: 0.08,
  AVAXUSDT: 35,
  LINKUSDT: 15,
  DOTUSDT: 7,
};

/** Annualised volatility per symbol; crypto majors move about 50–90 % a year. */
const VOLATILITY: Readonly<Record<string, number>> = { BTCUSDT: 0.55, ETHUSDT: 0.7 };
const DEFAULT_VOLATILITY = 0.9;
const YEAR_MS = 365 * 24 * 3600 * 1000;
/** Short-term noise around fair value: a standard deviation of 0.3 %, halving in about 15 minutes. */
const DEVIATION_SD = 0.003;
const REVERSION_PER_MS = Math.LN2 / (15 * 60_000);

interface SymbolState {
  /** The slowly wandering fair value. */
  fair: number;
  /** Log deviation of the traded price from fair value; reverts to 0. */
  deviation: number;
  price: number;
  readonly sigma: number;
  /** Daily traded volume in quote currency, drifting slowly. */
  volume24h: number;
}

/** An order-book snapshot of one symbol. */
export interface BookSnapshot {
  readonly bidPrice: number;
  readonly askPrice: number;
  /** Relative spread (ratio). */
  readonly spread: number;
  readonly bidSize: number;
  readonly askSize: number;
  /** Quote value within 1 % of the mid on both sides. */
  readonly marketDepth: number;
  readonly volatility24h: number;
  readonly volume24h: number;
}

/**
 * A price is a fair value following a driftless geometric Brownian motion
 * (`exp((−σ²/2)·dt + σ·√dt·Z)`, so it stays positive and wanders like a real one) times a short-term
 * deviation that reverts to zero (an Ornstein–Uhlenbeck process). The reverting part is what gives
 * the demo's dip-buying bot a small edge, so its P&L shows wins as well as losses. All randomness
 * comes from the given generator.
 */
export class MarketSimulator {
  private readonly states = new Map<string, SymbolState>();

  constructor(
    readonly symbols: readonly string[],
    private readonly random: SeededRandom,
  ) {
    for (const symbol of symbols) {
      const start = STARTING_PRICES[symbol] ?? 10;
      this.states.set(symbol, {
        fair: start,
        deviation: 0,
        price: start,
        sigma: VOLATILITY[symbol] ?? DEFAULT_VOLATILITY,
        volume24h: start >= 1000 ? 2e9 : 2e8,
      });
    }
  }

  price(symbol: string): number {
    return this.state(symbol).price;
  }

  /** How far the price is below (negative) or above its fair value, as a log ratio. */
  deviation(symbol: string): number {
    return this.state(symbol).deviation;
  }

  /** Advances every price by `elapsedMs` of simulated time. */
  step(elapsedMs: number): void {
    const ms = Math.max(0, elapsedMs);
    const dt = ms / YEAR_MS;
    const keep = Math.exp(-REVERSION_PER_MS * ms);
    const noise = DEVIATION_SD * Math.sqrt(1 - keep * keep);
    for (const s of this.states.values()) {
      s.fair *= Math.exp(-0.5 * s.sigma * s.sigma * dt + s.sigma * Math.sqrt(dt) * this.random.normal());
      s.deviation = s.deviation * keep + noise * this.random.normal();
      s.price = s.fair * Math.exp(s.deviation);
      s.volume24h *= Math.exp(this.random.normal(0, 0.01));
    }
  }

  /** A plausible book: a spread of a few basis points, sizes worth tens of thousands of USDT. */
  book(symbol: string): BookSnapshot {
    const s = this.state(symbol);
    const spread = this.random.logNormal(Math.log(2e-4), 0.4);
    const bidPrice = s.price * (1 - spread / 2);
    const askPrice = s.price * (1 + spread / 2);
    const bidSize = this.random.logNormal(Math.log(50_000), 0.5) / s.price;
    const askSize = this.random.logNormal(Math.log(50_000), 0.5) / s.price;
    return {
      bidPrice,
      askPrice,
      spread,
      bidSize,
      askSize,
      marketDepth: this.random.logNormal(Math.log(2_000_000), 0.3),
      // Daily volatility is the annual one over √365, with some day-to-day noise.
      volatility24h: (s.sigma / Math.sqrt(365)) * this.random.logNormal(0, 0.2),
      volume24h: s.volume24h,
    };
  }

  private state(symbol: string): SymbolState {
    const s = this.states.get(symbol);
    if (s === undefined) throw new RangeError(`unknown symbol ${symbol}`);
    return s;
  }
}
