// How a batch of events crosses to the writer thread: trades and P&L events as numbers in a transferred buffer plus one string, anything else as it is.

import { hasProfitLossShape, hasTradeShape } from '../events/shape.js';
import { EventType, type MonitorEvent, type ProfitLossEvent, type TradeMetric } from '../events/types.js';

// Structured clone of the events (or of a flat array of their values) makes the writer thread
// rebuild every row as heap objects at once; they outlive several of its small young-generation
// collections while the batch is written and are promoted, so the thread's old space grew by
// about 350 bytes per trade between full collections. Here the numbers of trades and their P&L
// events go in a Float64Array whose buffer is transferred (no copy), and their strings in one
// string; the thread builds each row's event only when it writes that row, so rows die young.
// Trades and their P&L events are nearly every row of a busy bot, so only they get this layout.
const TRADE = 1;
const PNL = 2;
const OTHER = 3;

/** Numbers per row at most (a trade's), to size the buffer. */
const MAX_ROW_WIDTH = 15;

/** A batch as posted to the writer thread; `nums.buffer` goes in the transfer list. */
export interface EncodedBatch {
  /** Row tags and figures; only the first `size` values are used. */
  readonly nums: Float64Array;
  readonly size: number;
  /** The strings of trades and P&L events, back to back; their lengths are in `nums`. */
  readonly text: string;
  /** Events of other kinds, and trades' `additionalData`, by index from `nums`. */
  readonly objects: readonly unknown[];
}

/** The encoded form of `events[start..end)`, for {@link DecodedBatch}. */
export function encodeBatch(events: readonly MonitorEvent[], start: number, end: number): EncodedBatch {
  const nums = new Float64Array(Math.max(1, end - start) * MAX_ROW_WIDTH);
  const parts: string[] = [];
  const objects: unknown[] = [];
  let p = 0;
  for (let i = start; i < end; i++) {
    const e = events[i]!;
    if (e.eventType === EventType.TRADE_EXECUTION && hasTradeShape(e)) {
      nums[p] = TRADE;
      nums[p + 1] = e.timestamp;
      nums[p + 2] = e.quantity;
      nums[p + 3] = e.price;
      nums[p + 4] = e.notionalValue;
      nums[p + 5] = e.fee;
      nums[p + 6] = e.executionTimeMs;
      nums[p + 7] = e.slippageBps;
      nums[p + 8] = e.pnl === null ? 0 : 1;
      nums[p + 9] = e.pnl ?? 0;
      nums[p + 10] = e.symbol.length;
      nums[p + 11] = e.side.length;
      nums[p + 12] = e.executionId.length;
      nums[p + 13] = e.orderId === null ? -1 : e.orderId.length;
      nums[p + 14] = e.additionalData === null ? -1 : objects.push(e.additionalData) - 1;
      p += 15;
      parts.push(e.symbol, e.side, e.executionId);
      if (e.orderId !== null) parts.push(e.orderId);
    } else if (e.eventType === EventType.PROFIT_LOSS && hasProfitLossShape(e)) {
      nums[p] = PNL;
      nums[p + 1] = e.timestamp;
      nums[p + 2] = e.realizedPnl;
      nums[p + 3] = e.positionQuantity;
      nums[p + 4] = e.averageCost;
      nums[p + 5] = e.cumulativeRealizedPnl;
      nums[p + 6] = e.symbol.length;
      nums[p + 7] = e.executionId.length;
      p += 8;
      parts.push(e.symbol, e.executionId);
    } else {
      nums[p] = OTHER;
      nums[p + 1] = objects.push(e) - 1;
      p += 2;
    }
  }
  return { nums, size: p, text: parts.join(''), objects };
}

/**
 * The rows of an {@link EncodedBatch}. `at(i)` builds row i's event (a plain, unfrozen object) each
 * time it is called, so nothing but the encoded form lives as long as the batch.
 */
export class DecodedBatch {
  readonly length: number;
  private readonly nums: Float64Array;
  private readonly text: string;
  private readonly objects: readonly unknown[];
  /** Per row: where its numbers start in `nums`, and its strings in `text`. */
  private readonly numAt: Int32Array;
  private readonly textAt: Int32Array;

  constructor(batch: EncodedBatch) {
    const { nums, size, text } = batch;
    this.nums = nums;
    this.text = text;
    this.objects = batch.objects;
    const numAt: number[] = [];
    const textAt: number[] = [];
    let p = 0;
    let t = 0;
    while (p < size) {
      numAt.push(p);
      textAt.push(t);
      const tag = nums[p];
      if (tag === TRADE) {
        t += nums[p + 10]! + nums[p + 11]! + nums[p + 12]! + Math.max(0, nums[p + 13]!);
        p += 15;
      } else if (tag === PNL) {
        t += nums[p + 6]! + nums[p + 7]!;
        p += 8;
      } else if (tag === OTHER) {
        p += 2;
      } else {
        throw new Error(`history batch is malformed at value ${p}`);
      }
    }
    if (p !== size || t !== text.length || size > nums.length) throw new Error('history batch is malformed: lengths do not add up');
    this.numAt = Int32Array.from(numAt);
    this.textAt = Int32Array.from(textAt);
    this.length = numAt.length;
  }

  /** Whether row i is a P&L event, without building it. */
  isProfitLoss(i: number): boolean {
    return this.nums[this.numAt[i]!] === PNL;
  }

  at(i: number): MonitorEvent {
    const nums = this.nums;
    const p = this.numAt[i]!;
    const tag = nums[p];
    if (tag === OTHER) return this.objects[nums[p + 1]!] as MonitorEvent;
    const t = this.textAt[i]!;
    const text = this.text;
    if (tag === TRADE) {
      const symbolEnd = t + nums[p + 10]!;
      const sideEnd = symbolEnd + nums[p + 11]!;
      const idEnd = sideEnd + nums[p + 12]!;
      const orderLength = nums[p + 13]!;
      const extra = nums[p + 14]!;
      const trade: TradeMetric = {
        eventType: EventType.TRADE_EXECUTION,
        timestamp: nums[p + 1]!,
        symbol: text.slice(t, symbolEnd),
        side: text.slice(symbolEnd, sideEnd) as TradeMetric['side'],
        quantity: nums[p + 2]!,
        price: nums[p + 3]!,
        notionalValue: nums[p + 4]!,
        fee: nums[p + 5]!,
        executionTimeMs: nums[p + 6]!,
        slippageBps: nums[p + 7]!,
        executionId: text.slice(sideEnd, idEnd),
        orderId: orderLength < 0 ? null : text.slice(idEnd, idEnd + orderLength),
        pnl: nums[p + 8] === 0 ? null : nums[p + 9]!,
        additionalData: extra < 0 ? null : (this.objects[extra] as TradeMetric['additionalData']),
      };
      return trade;
    }
    const symbolEnd = t + nums[p + 6]!;
    const pnl: ProfitLossEvent = {
      eventType: EventType.PROFIT_LOSS,
      timestamp: nums[p + 1]!,
      symbol: text.slice(t, symbolEnd),
      executionId: text.slice(symbolEnd, symbolEnd + nums[p + 7]!),
      realizedPnl: nums[p + 2]!,
      positionQuantity: nums[p + 3]!,
      averageCost: nums[p + 4]!,
      cumulativeRealizedPnl: nums[p + 5]!,
    };
    return pnl;
  }
}
