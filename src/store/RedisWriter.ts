// RedisWriter: the redis history's writes: rows prepared as batch scripts, sent one after another so Redis runs one while the next is prepared.

import { createHash, randomUUID } from 'node:crypto';
import { ErrorReply } from 'redis';
import type { Position } from '../analytics/PnlLedger.js';
import { carryPositions } from '../analytics/positionCarry.js';
import { EventType, type TradeMetric } from '../events/types.js';
import { type BalanceState, balanceOf, nextBalanceState } from './balanceState.js';
import type { RowBatch } from './batchCodec.js';
import { type RecordOwner, toRecord, tradeLine } from './fileRecords.js';
import { TABLE_OF } from './MemoryBackend.js';
import { clean, RedisUnavailableError } from './redisErrors.js';
import { BATCH_TIMEOUT_MS, FENCE_SCRIPT, type RedisKeys, SEQ_WIDTH, WRITE_SCRIPT } from './redisLayout.js';
import { type BatchTrade, HourTimes, MemberSlab, newestOpen, withPnl } from './redisRows.js';
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

/** Whether a script's answer says it is applied. */
const applied = (a: Answer): boolean => a.ok && a.value === 0;

/**
 * A script whose answer was lost: applied, or not, or still on its way to Redis (its bytes may yet arrive). Each
 * is chained on the one before it, so what may apply is a prefix of them.
 */
interface LostScript {
  readonly token: string;
  readonly rows: number;
  readonly stored: number;
  /** A digest of its rows, to know them when they come again. */
  readonly print: string;
}

/** What a part of a write did; `retry`: a script found the sequence number or the last batch moved, and the rest is to be sent again. */
interface Sent {
  readonly consumed: number;
  readonly written: number;
  readonly error: RedisUnavailableError | null;
  readonly retry: boolean;
  readonly lastToken: string;
}

/** Times a write reads the stored state again after finding it moved before it gives up (another writer keeps moving it). */
const MOVED_RETRIES = 3;

export class RedisWriter {
  private readonly tokenBase = randomUUID();
  private tokens = 0;
  private lost: LostScript[] = [];
  /** The bot's last batch token as this writer last left or read it; null when it must be read again. */
  private lastToken: string | null = null;
  /** The stored sequence number as this writer last left it; null when it must be read again (a failure, another writer). */
  private seq: number | null = null;
  /** Positions per symbol after the scripts sent so far; forgotten with `seq`. */
  private carry = new Map<string, Position>();
  /** The balance state after the scripts sent so far; undefined when it must be read. */
  private balance: BalanceState | null | undefined;
  /** Answers of the scripts sent and not yet read back: a read waits for them. */
  private inflight: Promise<Answer>[] = [];

  constructor(
    private readonly cmd: RedisCommand,
    private readonly keys: RedisKeys,
    private readonly owner: RecordOwner,
    private readonly ownerJson: string,
    private readonly where: () => string,
  ) {}

  /**
   * Writes rows `start..end` as scripts of at most `chunkRows` rows, each sent without waiting for the one
   * before. Each applies only after the one before it (it checks the batch token that one leaves; the first,
   * the last token this writer knows), so what is stored is always a prefix of the rows, and a failure leaves
   * the rest to be sent again. With `whole`, a failure reports nothing consumed (the caller sends all the rows
   * again): a prefix already stored is then remembered, and recognised when they come.
   */
  async write(rows: RowBatch, start: number, end: number, chunkRows = CHUNK_ROWS, whole = false): Promise<ChunkedWrite> {
    let consumed = 0;
    let written = 0;
    let lastToken = '';
    try {
      for (let moved = 0; consumed < end - start; ) {
        if (this.lost.length > 0) {
          const known = await this.settleLost(rows, start + consumed, end);
          consumed += known.rows;
          written += known.stored;
          if (known.token !== '') lastToken = known.token;
          if (known.rows > 0 && !whole) return { consumed, written, error: null };
          continue;
        }
        const r = await this.pipeline(rows, start + consumed, end, chunkRows);
        consumed += r.consumed;
        written += r.written;
        if (r.lastToken !== '') lastToken = r.lastToken;
        if (r.error !== null) return this.failedAfter(rows, start, { consumed, written, error: r.error }, lastToken, whole);
        if (r.retry && ++moved > MOVED_RETRIES)
          throw new RedisUnavailableError(`redis ${this.where()}: another writer keeps moving this bot's sequence number`);
      }
      return { consumed, written, error: null };
    } catch (error) {
      this.forget();
      const e = error instanceof RedisUnavailableError ? error : this.failed(error, end - start - consumed);
      return this.failedAfter(rows, start, { consumed, written, error: e }, lastToken, whole);
    }
  }

  /** A failed write's report; with `whole`, its stored prefix (ending with the script `token`) remembered before the scripts whose answers were lost. */
  private failedAfter(rows: RowBatch, start: number, r: ChunkedWrite, token: string, whole: boolean): ChunkedWrite {
    if (!whole || r.consumed === 0) return r;
    this.lost = [{ token, rows: r.consumed, stored: r.written, print: digest(rows, start, r.consumed) }, ...this.lost];
    return { consumed: 0, written: 0, error: r.error };
  }

  private failed(error: unknown, rows: number): RedisUnavailableError {
    return clean(error, `redis ${this.where()}: batch of ${rows} rows not written`);
  }

  /**
   * After scripts whose answers were lost: which of them are applied (the bot's last batch token names the last),
   * and then a fence, so that none of the others can apply later. Returns the rows they hold when the same rows
   * came again (0 otherwise).
   */
  private async settleLost(rows: RowBatch, from: number, end: number): Promise<{ rows: number; stored: number; token: string }> {
    const done: LostScript[] = [];
    for (;;) {
      const last = (await this.cmd(['GET', this.keys.lastBatch])) as string | null;
      const j = last === null ? -1 : this.lost.findIndex((l) => l.token === last);
      done.push(...this.lost.splice(0, j + 1));
      if (this.lost.length === 0) {
        this.lastToken = last;
        break;
      }
      // The others are chained on `last`: moving it on stops them for good, unless one applies first.
      const fence = this.nextToken();
      if ((await this.cmd(['EVAL', FENCE_SCRIPT, '1', this.keys.lastBatch, last ?? '', fence])) === 1) {
        this.lost = [];
        this.lastToken = fence;
        break;
      }
    }
    let n = 0;
    let stored = 0;
    for (const l of done) {
      // Other rows at the front than those: not taken for them.
      if (from + n + l.rows > end || digest(rows, from + n, l.rows) !== l.print) return { rows: 0, stored: 0, token: '' };
      n += l.rows;
      stored += l.stored;
    }
    return { rows: n, stored, token: done.length > 0 ? done[done.length - 1]!.token : '' };
  }

  private nextToken(): string {
    return `${this.tokenBase}:${++this.tokens}`;
  }

  /** Sends the scripts for `start..end` and reads their answers in order. */
  private async pipeline(rows: RowBatch, start: number, end: number, chunkRows: number): Promise<Sent> {
    const sent: { prepared: Prepared; answer: Promise<Answer> }[] = [];
    let seq = this.seq ?? Number((await this.cmd(['GET', this.keys.seq])) ?? 0);
    let previous = this.lastToken ?? ((await this.cmd(['GET', this.keys.lastBatch])) as string | null) ?? '';
    let prepareError: unknown = null;
    try {
      for (let at = start; at < end; ) {
        let prepared: Prepared;
        try {
          prepared = await this.prepare(rows, at, chunkEnd(rows, at, end, chunkRows), seq, previous);
        } catch (error) {
          // A read the rows needed failed, or a script sent before did not apply: what was sent still settles.
          prepareError = error;
          break;
        }
        const answer = this.cmd(prepared.command, BATCH_TIMEOUT_MS).then(
          (value): Answer => ({ ok: true, value }),
          (error: unknown): Answer => ({ ok: false, error }),
        );
        sent.push({ prepared, answer });
        this.inflight.push(answer);
        seq = prepared.seqAfter;
        previous = prepared.token;
        at = prepared.end;
      }
      return await this.readAnswers(rows, start, end, sent, prepareError);
    } finally {
      this.inflight = [];
    }
  }

  /** The answers of `sent`, in order: what applied, and why the rest did not. */
  private async readAnswers(
    rows: RowBatch,
    start: number,
    end: number,
    sent: readonly { prepared: Prepared; answer: Promise<Answer> }[],
    prepareError: unknown,
  ): Promise<Sent> {
    let consumed = 0;
    let written = 0;
    let lastToken = '';
    for (let k = 0; k < sent.length; k++) {
      const { prepared, answer } = sent[k]!;
      const a = await answer;
      if (applied(a)) {
        consumed = prepared.end - start;
        written += prepared.stored;
        this.seq = prepared.seqAfter;
        this.lastToken = lastToken = prepared.token;
        continue;
      }
      this.forget();
      if (a.ok) {
        // -2 (the sequence number moved) or -3 (the last batch moved): another writer, or a lost script of ours applied
        // late. The scripts after it are chained on it and did not apply either.
        if (a.value === -2 || a.value === -3) return { consumed, written, error: null, retry: true, lastToken };
        const error = this.failed(new Error(`unexpected answer ${String(a.value)}`), end - start - consumed);
        return { consumed, written, error, retry: false, lastToken };
      }
      // A reply from Redis (OOM, READONLY, …) means the script did not run, so none after it can; anything else may
      // have applied it and some after it, or may still.
      if (!(a.error instanceof ErrorReply)) this.lost = lostScripts(rows, start + consumed, sent.slice(k));
      return { consumed, written, error: this.failed(a.error, end - start - consumed), retry: false, lastToken };
    }
    if (prepareError !== null) {
      this.forget();
      return { consumed, written, error: this.failed(prepareError, end - start - consumed), retry: false, lastToken };
    }
    return { consumed, written, error: null, retry: false, lastToken };
  }

  /** A read that sees every script sent before it applied: it waits for their answers (throws when one did not apply). */
  private async read(args: string[]): Promise<unknown> {
    for (const answer of this.inflight) {
      if (!applied(await answer)) throw new Error('a script sent before it was not applied');
    }
    return this.cmd(args);
  }

  /** Forgets what it knew of the stored state: read again before the next script. */
  private forget(): void {
    this.seq = null;
    this.lastToken = null;
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
    const token = this.nextToken();
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
    const stored = (await this.read(['GET', this.keys.balance])) as string | null;
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
    const members = (await this.read(['ZRANGE', this.keys.table('trades'), score, score, 'BYSCORE', 'REV'])) as string[];
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
      const stored = (await this.read(['HMGET', this.keys.carry, ...unknown])) as (string | null)[];
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

/** A digest of rows `start..start+n`. */
function digest(rows: RowBatch, start: number, n: number): string {
  const h = createHash('sha1');
  for (let i = start; i < start + n; i++) h.update(JSON.stringify(rows.at(i)));
  return h.digest('hex');
}

/** The scripts of `sent`, the first holding the rows from `from`, as lost. */
function lostScripts(rows: RowBatch, from: number, sent: readonly { prepared: Prepared }[]): LostScript[] {
  let at = from;
  return sent.map(({ prepared }) => {
    const l = { token: prepared.token, rows: prepared.end - at, stored: prepared.stored, print: digest(rows, at, prepared.end - at) };
    at = prepared.end;
    return l;
  });
}
