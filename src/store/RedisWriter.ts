// RedisWriter: the redis history's writes: rows prepared as batch scripts, sent one after another so Redis runs one while the next is prepared.

import { createHash, randomUUID } from 'node:crypto';
import type { Position } from '../analytics/PnlLedger.js';
import { carryPositions } from '../analytics/positionCarry.js';
import { EventType, type TradeMetric } from '../events/types.js';
import { type BalanceState, balanceOf, nextBalanceState } from './balanceState.js';
import type { RowBatch } from './batchCodec.js';
import { type RecordOwner, toRecord, tradeLine } from './fileRecords.js';
import { TABLE_OF } from './MemoryBackend.js';
import { clean, RedisUnavailableError } from './redisErrors.js';
import { BATCH_TIMEOUT_MS, type RedisKeys, SEQ_WIDTH, WRITE_SCRIPT } from './redisLayout.js';
import { type BatchTrade, HourTimes, isReply, newestOpen, withPnl } from './redisRows.js';
import { TABLES, type TableName } from './schema.js';
import type { Row } from './sqliteRows.js';
import { HourSums } from './tradeHours.js';

/** Rows per script when a batch is sent in parts: small enough that several are in Redis' hands while the writer prepares the next. */
export const CHUNK_ROWS = 2000;

/** What a write did: rows `start..start+consumed` are stored (`written` of them are rows; the rest P&L fills), the others are not, `error` says why. */
export interface ChunkedWrite {
  readonly consumed: number;
  readonly written: number;
  readonly error: RedisUnavailableError | null;
}

/** A command to Redis with its deadline; throws when it fails or does not answer. */
export type RedisCommand = (args: (string | Buffer)[], ms?: number) => Promise<unknown>;

/** A script prepared for rows `start..end`, and what the bot's keys hold once it is applied. */
interface Prepared {
  readonly end: number;
  readonly stored: number;
  readonly command: (string | Buffer)[];
  readonly token: string;
  readonly seqAfter: number;
}

/** A sent script's answer, or its failure: settled as it comes, read in the order sent. */
type Answer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Scripts whose answer was lost: any prefix of them may be applied, and the bot's last batch token says which. */
interface Unsure {
  readonly tokens: string[];
  /** Rows of the batch, from its start, up to and including each script. */
  readonly rows: number[];
  readonly stored: number[];
  /** Digests of those rows, to know the same rows when they come again. */
  readonly prints: string[];
}

export class RedisWriter {
  private readonly tokenBase = randomUUID();
  private tokens = 0;
  private unsure: Unsure | null = null;
  /** The stored sequence number as this writer last left it; null when it must be read again (a failure, another writer). */
  private seq: number | null = null;
  /** Positions per symbol after the scripts sent so far; forgotten with `seq`. */
  private carry = new Map<string, Position>();
  /** The balance state after the scripts sent so far; undefined when it must be read. */
  private balance: BalanceState | null | undefined;

  constructor(
    private readonly cmd: RedisCommand,
    private readonly keys: RedisKeys,
    private readonly owner: RecordOwner,
    private readonly ownerJson: string,
    private readonly where: () => string,
  ) {}

  /**
   * Writes rows `start..end` as scripts of at most `chunkRows` rows, each sent without waiting for the one
   * before. Each applies only after the one before it (it checks the batch token that one leaves), so what is
   * stored is always a prefix of the rows, and a failure leaves the rest to be sent again. With `whole`, a
   * failure reports nothing consumed (the caller sends all the rows again): a prefix already stored is then
   * remembered, and recognised when they come.
   */
  async write(rows: RowBatch, start: number, end: number, chunkRows = CHUNK_ROWS, whole = false): Promise<ChunkedWrite> {
    let consumed = 0;
    let written = 0;
    let lastToken = '';
    try {
      const known = await this.settleUnsure(rows, start, end);
      if (known !== null) {
        if (!whole) return { consumed: known.rows, written: known.stored, error: null };
        consumed = known.rows;
        written = known.stored;
        lastToken = known.token;
      }
      for (let attempt = 0; consumed < end - start; attempt++) {
        const r = await this.pipeline(rows, start + consumed, end, chunkRows);
        consumed += r.consumed;
        written += r.written;
        if (r.lastToken !== '') lastToken = r.lastToken;
        if (r.error !== null) return this.failedAfter(rows, start, { consumed, written, error: r.error }, lastToken, whole);
        // A script found the sequence number moved by another writer: numbered again from it, once.
        if (r.moved && attempt > 0)
          throw new RedisUnavailableError(`redis ${this.where()}: another writer keeps moving this bot's sequence number`);
      }
      return { consumed, written, error: null };
    } catch (error) {
      this.forget();
      const e = error instanceof RedisUnavailableError ? error : this.failed(error, end - start - consumed);
      return this.failedAfter(rows, start, { consumed, written, error: e }, lastToken, whole);
    }
  }

  /** A failed write's report; with `whole`, its stored prefix (ending with the script `token`) remembered before any scripts whose answers were lost. */
  private failedAfter(rows: RowBatch, start: number, r: ChunkedWrite, token: string, whole: boolean): ChunkedWrite {
    if (!whole || r.consumed === 0) return r;
    const lost = this.unsure;
    const lengths = [r.consumed, ...(lost?.rows ?? []).map((n) => r.consumed + n)];
    this.unsure = {
      tokens: [token, ...(lost?.tokens ?? [])],
      rows: lengths,
      stored: [r.written, ...(lost?.stored ?? []).map((n) => r.written + n)],
      prints: digests(rows, start, lengths),
    };
    return { consumed: 0, written: 0, error: r.error };
  }

  private failed(error: unknown, rows: number): RedisUnavailableError {
    return clean(error, `redis ${this.where()}: batch of ${rows} rows not written`);
  }

  /**
   * After scripts whose answer was lost: the rows they hold, when the last applied one is known and the same
   * rows came again. The scripts after it did not apply (each checks the one before it left its token).
   */
  private async settleUnsure(rows: RowBatch, start: number, end: number): Promise<{ rows: number; stored: number; token: string } | null> {
    const u = this.unsure;
    if (u === null) return null;
    const last = (await this.cmd(['GET', this.keys.lastBatch])) as string | null;
    this.unsure = null;
    const i = last === null ? -1 : u.tokens.indexOf(last);
    if (i < 0 || u.rows[i]! > end - start) return null;
    const prints = digests(rows, start, [u.rows[i]!]);
    return prints[0] === u.prints[i] ? { rows: u.rows[i]!, stored: u.stored[i]!, token: u.tokens[i]! } : null;
  }

  /** Sends the scripts for `start..end` and reads their answers in order. */
  private async pipeline(
    rows: RowBatch,
    start: number,
    end: number,
    chunkRows: number,
  ): Promise<{ consumed: number; written: number; error: RedisUnavailableError | null; moved: boolean; lastToken: string }> {
    const sent: { prepared: Prepared; answer: Promise<Answer> }[] = [];
    let seq = this.seq ?? Number((await this.cmd(['GET', this.keys.seq])) ?? 0);
    let previous = '';
    let prepareError: unknown = null;
    for (let at = start; at < end; ) {
      let prepared: Prepared;
      try {
        prepared = await this.prepare(rows, at, chunkEnd(rows, at, end, chunkRows), seq, previous);
      } catch (error) {
        // A read the rows needed failed: what was sent still settles.
        prepareError = error;
        break;
      }
      const answer = this.cmd(prepared.command, BATCH_TIMEOUT_MS).then(
        (value): Answer => ({ ok: true, value }),
        (error: unknown): Answer => ({ ok: false, error }),
      );
      sent.push({ prepared, answer });
      seq = prepared.seqAfter;
      previous = prepared.token;
      at = prepared.end;
    }
    let consumed = 0;
    let written = 0;
    let lastToken = '';
    for (let k = 0; k < sent.length; k++) {
      const { prepared, answer } = sent[k]!;
      const a = await answer;
      if (a.ok && (a.value === 0 || a.value === -1)) {
        // -1: this token was applied already.
        consumed = prepared.end - start;
        written += prepared.stored;
        this.seq = prepared.seqAfter;
        lastToken = prepared.token;
        continue;
      }
      this.forget();
      if (a.ok) {
        // -2: the sequence number is not the one the rows were numbered from; the scripts after it did not apply either.
        if (a.value === -2) return { consumed, written, error: null, moved: true, lastToken };
        return {
          consumed,
          written,
          error: this.failed(new Error(`unexpected answer ${String(a.value)}`), end - start - consumed),
          moved: false,
          lastToken,
        };
      }
      // A reply from Redis (OOM, READONLY, …) means the script did not run; anything else may have applied it and the ones after.
      if (!isReply(a.error)) this.unsure = unsureOf(rows, start + consumed, sent.slice(k));
      return { consumed, written, error: this.failed(a.error, end - start - consumed), moved: false, lastToken };
    }
    if (prepareError !== null) {
      this.forget();
      return { consumed, written, error: this.failed(prepareError, end - start - consumed), moved: false, lastToken };
    }
    return { consumed, written, error: null, moved: false, lastToken };
  }

  /** Forgets what it knew of the stored state: read again before the next script. */
  private forget(): void {
    this.seq = null;
    this.carry = new Map();
    this.balance = undefined;
  }

  /** The script for rows `start..end`, numbered from `before`, applied only after the script `previous` ('' for none). */
  private async prepare(rows: RowBatch, start: number, end: number, before: number, previous: string): Promise<Prepared> {
    const perTable = new Map<TableName, ([number, string] | BatchTrade)[]>(TABLES.map((t) => [t, []]));
    const batchTrades: BatchTrade[] = [];
    const fills: { score: string; old: string; now: string }[] = [];
    const sums = new HourSums();
    const times = new HourTimes();
    const bot = this.owner.bot;
    let count = 0;
    let balance = this.balance;
    let balanceChanged = false;
    for (let i = start; i < end; i++) {
      const e = rows.at(i);
      const given = balanceOf(e);
      if (given !== null) {
        if (balance === undefined) balance = await this.lastBalance();
        balance = nextBalanceState(balance, given, e.timestamp);
        balanceChanged = true;
        continue;
      }
      if (e.eventType === EventType.PROFIT_LOSS) {
        const own = newestOpen(batchTrades, e.executionId, e.symbol, e.timestamp);
        if (own !== null) {
          own.realized = e.realizedPnl;
          own.source = 'ledger';
          continue;
        }
        const earlier = await this.openTrade(e.executionId, e.symbol, e.timestamp, fills);
        if (earlier !== null) {
          fills.push({ ...earlier, now: withPnl(earlier.old, e.realizedPnl) });
          sums.addRealized(bot, e.timestamp, e.symbol, e.realizedPnl);
        }
        continue;
      }
      const table = TABLE_OF[e.eventType];
      if (table === undefined) continue;
      count++;
      if (e.eventType === EventType.TRADE_EXECUTION) {
        const t: BatchTrade = { e, realized: e.pnl, source: e.pnl === null ? null : 'caller' };
        perTable.get(table)!.push(t);
        if (e.pnl === null) batchTrades.push(t);
      } else {
        perTable.get(table)!.push([e.timestamp, JSON.stringify(toRecord(e, this.owner, null, null))]);
      }
    }
    let seq = before;
    const slab = new MemberSlab();
    const member = (record: string) => slab.member((++seq).toString(16).padStart(SEQ_WIDTH, '0'), record);
    const token = `${this.tokenBase}:${++this.tokens}`;
    const args: (string | Buffer)[] = [token, previous, String(before), String(before + count)];
    const trades: TradeMetric[] = [];
    for (const t of TABLES) {
      const list = perTable.get(t)!;
      args.push(String(list.length));
      for (const r of list) {
        if (Array.isArray(r)) {
          args.push(String(r[0]), member(r[1]));
          continue;
        }
        const e = r.e;
        trades.push(e);
        sums.addTrade(bot, e.timestamp, e.symbol, e.side, e.notionalValue, e.fee, r.realized, e.executionTimeMs, e.slippageBps, 1);
        times.add(e.timestamp, e.executionTimeMs, 1);
        args.push(String(e.timestamp), member(tradeLine(e, this.ownerJson, r.realized, r.source)));
      }
    }
    const hours: string[] = [];
    sums.drain((_bot, hourStart, symbol, f) => hours.push(`${hourStart}|${symbol}`, Array.from(f, String).join(',')));
    args.push(String(hours.length / 2), ...hours);
    const timeKeys = times.drain(this.keys.times, args as string[]);
    args.push(String(fills.length));
    for (const f of fills) args.push(f.score, f.old, f.now);
    const carried = trades.length > 0 ? await this.carried(trades) : [];
    args.push(String(carried.length));
    for (const p of carried) args.push(p.symbol, JSON.stringify(p));
    args.push(!balanceChanged || balance === undefined || balance === null ? '' : JSON.stringify(balance));
    this.balance = balance;
    const k = this.keys;
    const command = [
      'EVAL',
      WRITE_SCRIPT,
      String(6 + TABLES.length + timeKeys.length),
      k.seq,
      k.lastBatch,
      k.hours,
      k.carry,
      ...TABLES.map(k.table),
      k.balance,
      k.hourIndex,
      ...timeKeys,
      ...args,
    ];
    return { end, stored: count, command, token, seqAfter: before + count };
  }

  private async lastBalance(): Promise<BalanceState | null> {
    const stored = (await this.cmd(['GET', this.keys.balance])) as string | null;
    return stored === null ? null : (JSON.parse(stored) as BalanceState);
  }

  /** The newest stored trade with that id, symbol and time and no P&L (as SQLite's update picks it), not already in `fills`. */
  private async openTrade(
    executionId: string,
    symbol: string,
    timestamp: number,
    fills: readonly { old: string }[],
  ): Promise<{ score: string; old: string } | null> {
    const score = String(timestamp);
    const members = (await this.cmd(['ZRANGE', this.keys.table('trades'), score, score, 'BYSCORE', 'REV'])) as string[];
    for (const m of members) {
      if (fills.some((f) => f.old === m)) continue;
      const r = JSON.parse(m.slice(SEQ_WIDTH)) as Row;
      if (r.execution_id === executionId && r.symbol === symbol && r.realized_pnl === null) {
        return { score, old: m };
      }
    }
    return null;
  }

  /** Positions after `trades`, for their symbols, from the ones carried so far (read from Redis once per symbol). */
  private async carried(trades: readonly TradeMetric[]): Promise<Position[]> {
    const symbols = [...new Set(trades.map((t) => t.symbol))];
    const unknown = symbols.filter((s) => !this.carry.has(s));
    if (unknown.length > 0) {
      const stored = (await this.cmd(['HMGET', this.keys.carry, ...unknown])) as (string | null)[];
      for (const s of stored) {
        if (s === null) continue;
        const p = JSON.parse(s) as Position;
        this.carry.set(p.symbol, p);
      }
    }
    const before: Position[] = [];
    for (const s of symbols) {
      const p = this.carry.get(s);
      if (p !== undefined) before.push(p);
    }
    const after = carryPositions(before, trades);
    for (const p of after) this.carry.set(p.symbol, p);
    return after;
  }
}

/** Where the script starting at row `start` ends: at most `chunkRows` rows, and never between a trade and the P&L events that follow it. */
export function chunkEnd(rows: RowBatch, start: number, end: number, chunkRows: number): number {
  let stop = Math.min(end, start + chunkRows);
  while (stop < end && rows.isProfitLoss(stop)) stop++;
  return stop;
}

/** Digests of rows `start..start+n` for each n of `lengths` (ascending), in one pass. */
function digests(rows: RowBatch, start: number, lengths: readonly number[]): string[] {
  const h = createHash('sha1');
  const out: string[] = [];
  let i = 0;
  for (const n of lengths) {
    for (; i < n; i++) h.update(JSON.stringify(rows.at(start + i)));
    out.push(h.copy().digest('hex'));
  }
  return out;
}

function unsureOf(rows: RowBatch, from: number, lost: readonly { prepared: Prepared }[]): Unsure {
  const lengths = lost.map((s) => s.prepared.end - from);
  let stored = 0;
  return {
    tokens: lost.map((s) => s.prepared.token),
    rows: lengths,
    stored: lost.map((s) => (stored += s.prepared.stored)),
    prints: digests(rows, from, lengths),
  };
}

/** Members written as UTF-8 into large buffers, handed to the client as views: no per-member strings for it to measure and join. */
class MemberSlab {
  private buf = Buffer.allocUnsafe(SLAB_BYTES);
  private at = 0;

  member(seqHex: string, record: string): Buffer {
    const most = seqHex.length + record.length * 3;
    if (this.at + most > this.buf.length) {
      this.buf = Buffer.allocUnsafe(Math.max(SLAB_BYTES, most));
      this.at = 0;
    }
    const start = this.at;
    this.at += this.buf.write(seqHex, this.at, 'latin1');
    this.at += this.buf.write(record, this.at, 'utf8');
    return this.buf.subarray(start, this.at);
  }
}

const SLAB_BYTES = 1 << 20;
