// EventLog: a bounded ring of the most recent events, O(1) append, newest-first queries.

import { copyAscii } from '../internal/Utf8Buffer.js';
import { hasProfitLossShape, hasTradeShape } from './shape.js';
import { type AdditionalData, type EventByType, EventType, type MonitorEvent, type ProfitLossEvent, type TradeEvent } from './types.js';

/** Filter for {@link EventLog.query}. */
export interface EventQuery<T extends EventType = EventType> {
  /** Only events of this type. */
  eventType?: T;
  /** Only events at or after this instant (epoch ms). */
  since?: number;
  /** Only events before this instant (epoch ms). */
  until?: number;
  /** At most this many, newest first. @default all that match */
  limit?: number;
}

// Trades and their P&L events are kept as columns (numbers in a Float64Array, symbols in an array)
// because objects living as long as the ring turns over would be copied and promoted by the garbage
// collector; a query rebuilds the events it returns, equal field for field to those appended.
// Execution and order ids are each trade's own strings (a symbol is shared by many): up to
// ID_BYTES ASCII characters they are copied into a byte column, so they too stay off the heap.
const OBJECT = 0;
const TRADE = 1;
const PNL = 2;
/** Numbers per slot. A trade: quantity, price, notional, fee, execution time, slippage, P&L (NaN for none), side (1 buy, 0 sell). */
const WIDTH = 8;
/** Strings per slot: symbol, execution id, order id. */
const TEXTS = 3;
/** Bytes per id in the byte column: a UUID (36) and most exchanges' ids fit. */
const ID_BYTES = 48;
/** Id length of an id kept in `texts` (too long, or not ASCII), and of no order id. */
const IN_TEXTS = -1;
const NO_ID = -2;

/** Whether the columns hold the trade exactly: a side of the two, a P&L that is a number or none. */
function fitsTrade(e: TradeEvent): boolean {
  return hasTradeShape(e) && (e.side === 'buy' || e.side === 'sell') && !Number.isNaN(e.pnl);
}

/**
 * Holds the last `capacity` events. When full, each append overwrites the oldest event, so memory
 * stays bounded whatever the event rate. Counts per type are kept for everything ever appended.
 * {@link EventLog.appendBuilt} keeps the monitor's own trades and P&L events as columns, which
 * queries rebuild: what they return is equal to (not the same object as) what was appended.
 */
export class EventLog {
  readonly capacity: number;
  private readonly kinds: Uint8Array;
  private readonly times: Float64Array;
  private readonly numbers: Float64Array;
  private readonly texts: (string | null)[];
  /** Per slot, execution id then order id: ID_BYTES bytes each, and their lengths. */
  private readonly ids: Buffer;
  private readonly idLengths: Int8Array;
  /** The event itself (OBJECT slots), or a trade's `additionalData` (TRADE slots). */
  private readonly objects: unknown[];
  private head = 0; // index of the next write
  private length = 0;
  private appendedTotal = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`EventLog capacity must be a whole number >= 1, got ${capacity}`);
    this.capacity = capacity;
    this.kinds = new Uint8Array(capacity);
    this.times = new Float64Array(capacity);
    this.numbers = new Float64Array(capacity * WIDTH);
    this.texts = new Array<string | null>(capacity * TEXTS).fill(null);
    this.ids = Buffer.alloc(capacity * 2 * ID_BYTES);
    this.idLengths = new Int8Array(capacity * 2);
    this.objects = new Array<unknown>(capacity).fill(null);
  }

  /** Keeps `event` as it is: queries return this very object. */
  append(event: MonitorEvent): void {
    const i = this.head;
    const t = i * TEXTS;
    this.kinds[i] = OBJECT;
    this.times[i] = event.timestamp;
    this.objects[i] = event;
    this.texts[t] = null;
    this.texts[t + 1] = null;
    this.texts[t + 2] = null;
    this.advance();
  }

  /**
   * Keeps an event made by the monitor's builders (exactly their fields, frozen): trades and P&L
   * events as columns, anything else as {@link EventLog.append} does. The hot path's call.
   */
  appendBuilt(event: MonitorEvent): void {
    const i = this.head;
    const n = i * WIDTH;
    const t = i * TEXTS;
    const v = this.numbers;
    if (event.eventType === EventType.TRADE_EXECUTION && fitsTrade(event)) {
      this.kinds[i] = TRADE;
      v[n] = event.quantity;
      v[n + 1] = event.price;
      v[n + 2] = event.notionalValue;
      v[n + 3] = event.fee;
      v[n + 4] = event.executionTimeMs;
      v[n + 5] = event.slippageBps;
      v[n + 6] = event.pnl === null ? Number.NaN : event.pnl;
      v[n + 7] = event.side === 'buy' ? 1 : 0;
      this.putId(i * 2 + 1, t + 2, event.orderId);
      this.objects[i] = event.additionalData;
    } else if (event.eventType === EventType.PROFIT_LOSS && hasProfitLossShape(event)) {
      this.kinds[i] = PNL;
      v[n] = event.realizedPnl;
      v[n + 1] = event.positionQuantity;
      v[n + 2] = event.averageCost;
      v[n + 3] = event.cumulativeRealizedPnl;
      this.putId(i * 2 + 1, t + 2, null);
      this.objects[i] = null;
    } else {
      this.append(event);
      return;
    }
    this.times[i] = event.timestamp;
    this.texts[t] = event.symbol;
    this.putId(i * 2, t + 1, event.executionId);
    this.advance();
  }

  /** Keeps id `k` of the byte column: its ASCII bytes when they fit, else the string in `texts[text]`. */
  private putId(k: number, text: number, id: string | null): void {
    if (id === null) {
      this.idLengths[k] = NO_ID;
      this.texts[text] = null;
      return;
    }
    const n = id.length;
    if (n <= ID_BYTES && copyAscii(this.ids, k * ID_BYTES, id) === n) {
      this.idLengths[k] = n;
      this.texts[text] = null;
      return;
    }
    this.idLengths[k] = IN_TEXTS;
    this.texts[text] = id;
  }

  private idAt(k: number, text: number): string | null {
    const n = this.idLengths[k]!;
    if (n === NO_ID) return null;
    if (n === IN_TEXTS) return this.texts[text]!;
    const at = k * ID_BYTES;
    return this.ids.toString('latin1', at, at + n);
  }

  /** Events currently held. */
  get size(): number {
    return this.length;
  }

  /** Events ever appended, including those overwritten. */
  get totalAppended(): number {
    return this.appendedTotal;
  }

  clear(): void {
    this.texts.fill(null);
    this.objects.fill(null);
    this.head = 0;
    this.length = 0;
  }

  /** Matching events, newest first. */
  query<T extends EventType>(q: EventQuery<T> & { eventType: T }): EventByType[T][];
  query(q?: EventQuery): MonitorEvent[];
  query(q: EventQuery = {}): MonitorEvent[] {
    const limit = q.limit ?? Number.POSITIVE_INFINITY;
    const out: MonitorEvent[] = [];
    if (limit <= 0) return out;
    let idx = this.head;
    for (let i = 0; i < this.length; i++) {
      idx = idx === 0 ? this.capacity - 1 : idx - 1;
      const time = this.times[idx]!;
      // No early exit on `since`: a wall clock may step backwards, so order is not guaranteed.
      if (q.since !== undefined && time < q.since) continue;
      if (q.until !== undefined && time >= q.until) continue;
      if (q.eventType !== undefined && this.typeAt(idx) !== q.eventType) continue;
      out.push(this.eventAt(idx));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Calls `visit` for each held event, oldest first. */
  forEach(visit: (event: MonitorEvent) => void): void {
    let idx = this.length < this.capacity ? 0 : this.head;
    for (let i = 0; i < this.length; i++) {
      visit(this.eventAt(idx));
      idx = idx + 1 === this.capacity ? 0 : idx + 1;
    }
  }

  private advance(): void {
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    if (this.length < this.capacity) this.length++;
    this.appendedTotal++;
  }

  private typeAt(i: number): EventType {
    const kind = this.kinds[i];
    if (kind === TRADE) return EventType.TRADE_EXECUTION;
    if (kind === PNL) return EventType.PROFIT_LOSS;
    return (this.objects[i] as MonitorEvent).eventType;
  }

  /** The event of slot `i`, rebuilt with the builders' field order when kept as columns. */
  private eventAt(i: number): MonitorEvent {
    const kind = this.kinds[i];
    if (kind === OBJECT) return this.objects[i] as MonitorEvent;
    const n = i * WIDTH;
    const t = i * TEXTS;
    const v = this.numbers;
    if (kind === TRADE) {
      const pnl = v[n + 6]!;
      const trade: TradeEvent = {
        eventType: EventType.TRADE_EXECUTION,
        timestamp: this.times[i]!,
        symbol: this.texts[t]!,
        side: v[n + 7] === 1 ? 'buy' : 'sell',
        quantity: v[n]!,
        price: v[n + 1]!,
        notionalValue: v[n + 2]!,
        fee: v[n + 3]!,
        executionTimeMs: v[n + 4]!,
        slippageBps: v[n + 5]!,
        executionId: this.idAt(i * 2, t + 1)!,
        orderId: this.idAt(i * 2 + 1, t + 2),
        pnl: Number.isNaN(pnl) ? null : pnl,
        additionalData: this.objects[i] as AdditionalData | null,
      };
      return Object.freeze(trade);
    }
    const pnlEvent: ProfitLossEvent = {
      eventType: EventType.PROFIT_LOSS,
      timestamp: this.times[i]!,
      symbol: this.texts[t]!,
      executionId: this.idAt(i * 2, t + 1)!,
      realizedPnl: v[n]!,
      positionQuantity: v[n + 1]!,
      averageCost: v[n + 2]!,
      cumulativeRealizedPnl: v[n + 3]!,
    };
    return Object.freeze(pnlEvent);
  }
}
