// The per-symbol trade series: running totals and histograms bumped on the bot's hot path, reported at collection.

import type { Attributes } from '@opentelemetry/api';
import { type EventByType, type EventType, TRADE_SIDES } from '../events/types.js';
import { LabelCap } from './LabelCap.js';
import { EXECUTION_SECONDS_BUCKETS, Label, METRICS, SLIPPAGE_BPS_BUCKETS } from './names.js';
import { BucketHistogram, type HistogramFamily, type SumFamily } from './SeriesProducer.js';

/**
 * One symbol's attribute sets, running totals and trade histograms: plain numbers and buckets
 * bumped on the hot path and reported at collection through a SeriesProducer. A synchronous
 * OpenTelemetry `add` or `record` hashes its attributes on every call, and an observable instrument
 * on every observation: both cost the bot far more per trade than a field increment.
 */
export interface SymbolSeries {
  /** `{symbol}` */
  readonly plain: Attributes;
  /** `{symbol, side}` by side */
  readonly buy: Attributes;
  readonly sell: Attributes;
  buyTrades: number;
  sellTrades: number;
  buyVolume: number;
  sellVolume: number;
  fees: number;
  realizedPnl: number;
  /** When the first P&L event of the symbol was recorded (epoch milliseconds, wall clock); 0 before any. */
  pnlStartMillis: number;
  /** `poseidon_trade_execution_seconds{symbol}` */
  readonly execution: BucketHistogram;
  /** `poseidon_trade_slippage_bps{symbol, side}` by side */
  readonly buySlippage: BucketHistogram;
  readonly sellSlippage: BucketHistogram;
}

/** Every symbol's series, under the symbol cap (symbols beyond it are summed under `__other__`). */
export class TradeSeries {
  readonly symbols: LabelCap<SymbolSeries>;
  /** When the last trade was made (epoch milliseconds, on Prometheus' time base: see Telemetry); 0 before any. */
  lastTradeMillis = 0;

  constructor(maxSymbols: number, onOverflow: () => void) {
    this.symbols = new LabelCap<SymbolSeries>(
      maxSymbols,
      (symbol) => ({
        plain: Object.freeze({ [Label.SYMBOL]: symbol }),
        buy: Object.freeze({ [Label.SYMBOL]: symbol, [Label.SIDE]: TRADE_SIDES[0] }),
        sell: Object.freeze({ [Label.SYMBOL]: symbol, [Label.SIDE]: TRADE_SIDES[1] }),
        buyTrades: 0,
        sellTrades: 0,
        buyVolume: 0,
        sellVolume: 0,
        fees: 0,
        realizedPnl: 0,
        pnlStartMillis: 0,
        execution: new BucketHistogram(EXECUTION_SECONDS_BUCKETS),
        buySlippage: new BucketHistogram(SLIPPAGE_BPS_BUCKETS),
        sellSlippage: new BucketHistogram(SLIPPAGE_BPS_BUCKETS),
      }),
      onOverflow,
    );
  }

  /** A trade made at `at` (epoch milliseconds): its side's count and volume, the symbol's fees, execution time and slippage. */
  trade(event: EventByType[EventType.TRADE_EXECUTION], at: number): void {
    const s = this.symbols.get(event.symbol);
    this.lastTradeMillis = at;
    let slippage: BucketHistogram;
    if (event.side === 'buy') {
      s.buyTrades++;
      s.buyVolume += event.notionalValue;
      slippage = s.buySlippage;
    } else {
      s.sellTrades++;
      s.sellVolume += event.notionalValue;
      slippage = s.sellSlippage;
    }
    s.fees += event.fee;
    s.execution.record(event.executionTimeMs / 1000);
    // Favourable (negative) slippage counts as none, in the first bucket (le="0").
    slippage.record(Math.max(event.slippageBps, 0));
  }

  /** A realized P&L event: the symbol's running sum. */
  pnl(event: EventByType[EventType.PROFIT_LOSS]): void {
    const s = this.symbols.get(event.symbol);
    s.realizedPnl += event.realizedPnl;
    // Wall clock, like the other series' start times.
    if (s.pnlStartMillis === 0) s.pnlStartMillis = Date.now();
  }

  /**
   * The families a SeriesProducer reports: trades and volume per side, fees and realized P&L per
   * symbol, the execution-time histogram per symbol and the slippage histogram per side. A total
   * reports once its symbol has traded (on that side) and begins at its first trade; realized P&L
   * reports from the symbol's first P&L event.
   */
  families(): { sums: SumFamily[]; histograms: HistogramFamily[] } {
    type Emit = Parameters<SumFamily['forEach']>[0];
    type EmitHistogram = Parameters<HistogramFamily['forEach']>[0];
    type Total = 'buyTrades' | 'sellTrades' | 'buyVolume' | 'sellVolume';
    const each =
      <E>(visit: (s: SymbolSeries, emit: E) => void) =>
      (emit: E) => {
        for (const s of this.symbols.all()) visit(s, emit);
      };
    const bySide = (buy: Total, sell: Total) =>
      each<Emit>((s, emit) => {
        if (s.buyTrades > 0) emit(s.buy, s[buy], s.buySlippage.startMillis);
        if (s.sellTrades > 0) emit(s.sell, s[sell], s.sellSlippage.startMillis);
      });
    return {
      sums: [
        { info: METRICS.trades, monotonic: true, forEach: bySide('buyTrades', 'sellTrades') },
        { info: METRICS.tradeVolume, monotonic: true, forEach: bySide('buyVolume', 'sellVolume') },
        {
          info: METRICS.tradeFees,
          monotonic: true,
          forEach: each<Emit>((s, emit) => {
            if (s.buyTrades > 0 || s.sellTrades > 0) emit(s.plain, s.fees, s.execution.startMillis);
          }),
        },
        // Realized P&L goes down on losses: a non-monotonic sum, which Prometheus sees as a gauge.
        {
          info: METRICS.realizedPnl,
          monotonic: false,
          forEach: each<Emit>((s, emit) => {
            if (s.pnlStartMillis !== 0) emit(s.plain, s.realizedPnl, s.pnlStartMillis);
          }),
        },
      ],
      histograms: [
        {
          info: METRICS.tradeExecution,
          boundaries: EXECUTION_SECONDS_BUCKETS,
          forEach: each<EmitHistogram>((s, emit) => emit(s.plain, s.execution)),
        },
        {
          info: METRICS.tradeSlippage,
          boundaries: SLIPPAGE_BPS_BUCKETS,
          forEach: each<EmitHistogram>((s, emit) => {
            emit(s.buy, s.buySlippage);
            emit(s.sell, s.sellSlippage);
          }),
        },
      ],
    };
  }
}
