// RowBatch: history rows waiting to be written, trades and P&L events kept as numbers and UTF-8 bytes rather than objects; the same form crosses to the writer thread.

import { hasProfitLossShape, hasTradeShape } from '../events/shape.js';
import { EventType, type MonitorEvent, type ProfitLossEvent, type TradeEvent } from '../events/types.js';
import { Utf8Buffer } from '../internal/Utf8Buffer.js';

// Why not an array of the events: a bot that logs faster than the writer thread commits keeps
// tens of thousands of rows waiting (the buffer, and the batch in flight). As objects (a trade, its
// boxed numbers, its ids, its P&L event: about 550 bytes) every young-generation collection copies
// them, then promotes them, and the old generation grows until a full collection stops the bot.
// Here a trade is 15 float64 values and its strings' bytes outside the JavaScript heap, written
// when it is recorded; only the rare other kinds (and a trade's `additionalData`) stay objects.
// Posting a batch copies two typed arrays; the thread rebuilds each row only when it writes it.
const TRADE = 1;
const PNL = 2;
const OTHER = 3;

const TRADE_WIDTH = 15;
const PNL_WIDTH = 8;
const OTHER_WIDTH = 2;
const INITIAL_ROWS = 64;
const INITIAL_BYTES = 4096;
/** Bytes of a decoded batch turned into one string at a time; well below V8's large-object size (128 KiB). */
const TEXT_RUN_BYTES = 32 * 1024;

// String.prototype.isWellFormed (Node 20) is not in the ES2023 library the build targets.
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** A batch as posted to the writer thread; both arrays are copies the batch no longer needs, for the transfer list. */
export interface EncodedBatch {
  /** Row tags and figures, exactly the values used. */
  readonly nums: Float64Array;
  /** The UTF-8 bytes of trades' and P&L events' strings, back to back; their byte lengths are in `nums`. */
  readonly bytes: Uint8Array;
  /** Events of other kinds, and trades' `additionalData`, by index from `nums`. */
  readonly objects: readonly unknown[];
  /** Every string was ASCII: byte offsets are character offsets. */
  readonly ascii: boolean;
}

/**
 * Arrays an encoded batch may be copied into instead of new ones: the writer thread hands them back
 * with its answer, so a busy bot does not allocate two arrays per batch (each freed only when the
 * thread's heap is next collected, which its few allocations make rare: megabytes held).
 */
export interface BatchBuffers {
  readonly nums: Float64Array;
  readonly bytes: Uint8Array;
}

/** `source` copied to the front of `into` (a view of exactly its length) when it fits, else to a new array with room to grow. */
function copyInto<T extends Float64Array | Uint8Array>(source: T, into: T | undefined, make: new (length: number) => T): T {
  const n = source.length;
  const target = into !== undefined && into.length >= n ? into : new make(n + (n >> 2));
  target.set(source);
  return target.subarray(0, n) as T;
}

/**
 * Rows in the order recorded. `push` encodes an event; `at(i)` builds row i's event (frozen, as the
 * facade's events and the database's rows are, and equal to what was pushed) each time it is called. Rows leave from the front
 * (`dropFirst`), never from the middle.
 */
export class RowBatch {
  private nums: Float64Array;
  private numSize = 0;
  /** The UTF-8 bytes of the rows' strings. */
  private utf8: Utf8Buffer;
  /** Per row: where its numbers start in `nums`, and its strings in `bytes`. */
  private numAt: Int32Array;
  private textAt: Int32Array;
  private rows = 0;
  /** Rows before this one are gone (`dropFirst`). */
  private first = 0;
  private objects: unknown[];
  /** No string written so far had a character past ASCII. */
  private ascii = true;
  /**
   * On a decoded all-ASCII batch, rows' strings are cut from a run of its bytes decoded as one
   * string (one decode per run of rows, not one per field, which made the writer thread the
   * bottleneck). Runs of {@link TEXT_RUN_BYTES}, not the whole batch: a string the size of a
   * batch (half a megabyte) is allocated in the large-object space, which only a full collection
   * frees, and the writer thread held up to 8 MB of them; a run is collected young.
   */
  private sliceText = false;
  private text: string | null = null;
  /** The byte offset `text` starts at. */
  private textFrom = 0;

  /**
   * @param capacityRows rows room is made for at first
   * @param maxRows rows the arrays grow to at most unless more are pushed (a full batch then has no
   *   room to spare)
   */
  constructor(
    capacityRows = INITIAL_ROWS,
    private readonly maxRows = Number.POSITIVE_INFINITY,
  ) {
    const rows = Math.max(1, Math.min(capacityRows, maxRows));
    this.nums = new Float64Array(rows * TRADE_WIDTH);
    this.utf8 = new Utf8Buffer(INITIAL_BYTES);
    this.numAt = new Int32Array(rows);
    this.textAt = new Int32Array(rows);
    this.objects = [];
  }

  /** Rows held. */
  get length(): number {
    return this.rows - this.first;
  }

  /** Bytes of typed arrays held (outside the JavaScript heap), for tests and figures. */
  get capacityBytes(): number {
    return this.nums.byteLength + this.utf8.capacity + this.numAt.byteLength + this.textAt.byteLength;
  }

  /** Appends `e`. Trades and P&L events of the built shape are encoded; anything else is kept as it is. */
  push(e: MonitorEvent): void {
    if (this.rows === this.numAt.length) this.growRows();
    if (this.numSize + TRADE_WIDTH > this.nums.length) this.growNums(this.numSize + TRADE_WIDTH);
    const nums = this.nums;
    const p = this.numSize;
    const t = this.utf8.length;
    let width = OTHER_WIDTH;
    if (e.eventType === EventType.TRADE_EXECUTION && hasTradeShape(e)) {
      const symbol = this.writeString(e.symbol);
      const side = symbol < 0 ? -1 : this.writeString(e.side);
      const id = side < 0 ? -1 : this.writeString(e.executionId);
      const order = id < 0 || e.orderId === null ? -1 : this.writeString(e.orderId);
      if (id >= 0 && (order >= 0 || e.orderId === null)) {
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
        nums[p + 10] = symbol;
        nums[p + 11] = side;
        nums[p + 12] = id;
        nums[p + 13] = order;
        nums[p + 14] = e.additionalData === null ? -1 : this.objects.push(e.additionalData) - 1;
        width = TRADE_WIDTH;
      }
    } else if (e.eventType === EventType.PROFIT_LOSS && hasProfitLossShape(e)) {
      const symbol = this.writeString(e.symbol);
      const id = symbol < 0 ? -1 : this.writeString(e.executionId);
      if (id >= 0) {
        nums[p] = PNL;
        nums[p + 1] = e.timestamp;
        nums[p + 2] = e.realizedPnl;
        nums[p + 3] = e.positionQuantity;
        nums[p + 4] = e.averageCost;
        nums[p + 5] = e.cumulativeRealizedPnl;
        nums[p + 6] = symbol;
        nums[p + 7] = id;
        width = PNL_WIDTH;
      }
    }
    if (width === OTHER_WIDTH) {
      // Also a trade whose strings UTF-8 cannot carry (a lone surrogate): its bytes are abandoned.
      this.utf8.truncate(t);
      nums[p] = OTHER;
      nums[p + 1] = this.objects.push(e) - 1;
    }
    this.numAt[this.rows] = p;
    this.textAt[this.rows] = t;
    this.numSize = p + width;
    this.rows++;
  }

  /** Whether row i is a P&L event, without building it. */
  isProfitLoss(i: number): boolean {
    return this.nums[this.numAt[this.first + i]!] === PNL;
  }

  /** The string of bytes `from..to`. */
  private stringAt(from: number, to: number): string {
    if (!this.sliceText) return this.utf8.toString(from, to);
    let text = this.text;
    if (text === null || from < this.textFrom || to > this.textFrom + text.length) {
      // Rows are read in order: the next run starts at this string.
      text = this.utf8.asciiString(from, Math.min(this.utf8.length, Math.max(to, from + TEXT_RUN_BYTES)));
      this.text = text;
      this.textFrom = from;
    }
    return text.slice(from - this.textFrom, to - this.textFrom);
  }

  /** Row i's event, built anew. */
  at(i: number): MonitorEvent {
    const nums = this.nums;
    const p = this.numAt[this.first + i]!;
    const tag = nums[p];
    if (tag === OTHER) return this.objects[nums[p + 1]!] as MonitorEvent;
    const t = this.textAt[this.first + i]!;
    if (tag === TRADE) {
      const symbolEnd = t + nums[p + 10]!;
      const sideEnd = symbolEnd + nums[p + 11]!;
      const idEnd = sideEnd + nums[p + 12]!;
      const orderLength = nums[p + 13]!;
      const extra = nums[p + 14]!;
      const trade: TradeEvent = {
        eventType: EventType.TRADE_EXECUTION,
        timestamp: nums[p + 1]!,
        symbol: this.stringAt(t, symbolEnd),
        side: this.stringAt(symbolEnd, sideEnd) as TradeEvent['side'],
        quantity: nums[p + 2]!,
        price: nums[p + 3]!,
        notionalValue: nums[p + 4]!,
        fee: nums[p + 5]!,
        executionTimeMs: nums[p + 6]!,
        slippageBps: nums[p + 7]!,
        executionId: this.stringAt(sideEnd, idEnd),
        orderId: orderLength < 0 ? null : this.stringAt(idEnd, idEnd + orderLength),
        pnl: nums[p + 8] === 0 ? null : nums[p + 9]!,
        additionalData: extra < 0 ? null : (this.objects[extra] as TradeEvent['additionalData']),
      };
      return Object.freeze(trade);
    }
    const symbolEnd = t + nums[p + 6]!;
    const pnl: ProfitLossEvent = {
      eventType: EventType.PROFIT_LOSS,
      timestamp: nums[p + 1]!,
      symbol: this.stringAt(t, symbolEnd),
      executionId: this.stringAt(symbolEnd, symbolEnd + nums[p + 7]!),
      realizedPnl: nums[p + 2]!,
      positionQuantity: nums[p + 3]!,
      averageCost: nums[p + 4]!,
      cumulativeRealizedPnl: nums[p + 5]!,
    };
    return Object.freeze(pnl);
  }

  /** Every row's event, oldest first. */
  toArray(): MonitorEvent[] {
    const out = new Array<MonitorEvent>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.at(i);
    return out;
  }

  /** Forgets the oldest `n` rows (written, or refused and counted). */
  dropFirst(n: number): void {
    this.first = Math.min(this.rows, this.first + n);
    if (this.first === this.rows) this.clear();
  }

  /**
   * The rows as copies for the writer thread. Objects are those the rows refer to; indexes in the
   * copy are renumbered when rows have been dropped from the front.
   */
  encode(into: BatchBuffers | null = null): EncodedBatch {
    const from = this.first;
    const ascii = this.ascii;
    if (from === this.rows) return { nums: new Float64Array(0), bytes: new Uint8Array(0), objects: [], ascii };
    const p0 = this.numAt[from]!;
    const text = this.utf8.view(this.textAt[from]!);
    const nums = copyInto(this.nums.subarray(p0, this.numSize), into?.nums, Float64Array);
    const bytes = copyInto(text, into?.bytes, Uint8Array);
    if (from === 0) return { nums, bytes, objects: this.objects.slice(), ascii };
    const objects: unknown[] = [];
    for (let i = from; i < this.rows; i++) {
      const p = this.numAt[i]! - p0;
      const tag = nums[p];
      const at = tag === OTHER ? p + 1 : tag === TRADE ? p + 14 : -1;
      if (at >= 0 && nums[at]! >= 0) nums[at] = objects.push(this.objects[nums[at]!]) - 1;
    }
    return { nums, bytes, objects, ascii };
  }

  /**
   * The rows of a batch that crossed from another thread. Throws when the layout does not add up
   * (it cannot, from {@link encode}).
   */
  static decode(batch: EncodedBatch): RowBatch {
    const { nums, bytes, objects } = batch;
    const numAt: number[] = [];
    const textAt: number[] = [];
    let p = 0;
    let t = 0;
    while (p < nums.length) {
      numAt.push(p);
      textAt.push(t);
      const tag = nums[p];
      if (tag === TRADE && p + TRADE_WIDTH <= nums.length) {
        t += nums[p + 10]! + nums[p + 11]! + nums[p + 12]! + Math.max(0, nums[p + 13]!);
        if (nums[p + 14]! >= objects.length) break;
        p += TRADE_WIDTH;
      } else if (tag === PNL && p + PNL_WIDTH <= nums.length) {
        t += nums[p + 6]! + nums[p + 7]!;
        p += PNL_WIDTH;
      } else if (tag === OTHER && p + OTHER_WIDTH <= nums.length && nums[p + 1]! < objects.length) {
        p += OTHER_WIDTH;
      } else {
        break;
      }
    }
    if (p !== nums.length || t !== bytes.length) throw new Error(`history batch is malformed at value ${p}`);
    const out = new RowBatch(0);
    out.nums = nums;
    out.numSize = nums.length;
    out.utf8 = Utf8Buffer.of(bytes);
    out.numAt = Int32Array.from(numAt);
    out.textAt = Int32Array.from(textAt);
    out.rows = numAt.length;
    out.objects = objects as unknown[];
    out.ascii = batch.ascii === true;
    out.sliceText = out.ascii;
    return out;
  }

  private clear(): void {
    this.rows = 0;
    this.first = 0;
    this.numSize = 0;
    this.utf8.clear();
    this.objects = [];
    this.ascii = true;
    this.text = null;
    this.sliceText = false;
  }

  /**
   * Writes `s` as UTF-8 after the bytes held and returns its byte length, or -1 when UTF-8 cannot
   * carry it unchanged (a lone surrogate; the caller then gives up the row's bytes).
   */
  private writeString(s: string): number {
    const written = this.utf8.append(s);
    if (written !== s.length) {
      if (!isWellFormed(s)) return -1;
      this.ascii = false;
    }
    return written;
  }

  private growRows(): void {
    const size = Math.max(this.numAt.length + 1, Math.min(Math.max(INITIAL_ROWS, this.numAt.length * 2), this.maxRows));
    const numAt = new Int32Array(size);
    numAt.set(this.numAt);
    this.numAt = numAt;
    const textAt = new Int32Array(size);
    textAt.set(this.textAt);
    this.textAt = textAt;
  }

  private growNums(needed: number): void {
    const nums = new Float64Array(Math.max(needed, Math.min(this.nums.length * 2, this.maxRows * TRADE_WIDTH)));
    nums.set(this.nums.subarray(0, this.numSize));
    this.nums = nums;
  }
}
