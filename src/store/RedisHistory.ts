// RedisHistory: one bot's history in Redis through node-redis (asynchronous), the work behind the redis backend's threads.

import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import { carryPositions } from '../analytics/positionCarry.js';
import { EventType, type GrowthMetric, type TradeMetric } from '../events/types.js';
import { type BalanceState, balanceOf, nextBalanceState } from './balanceState.js';
import type { RowBatch } from './batchCodec.js';
import { ownerFields, type RecordOwner, toRecord, tradeLine } from './fileRecords.js';
import type { TableCounts } from './HistoryReader.js';
import { TABLE_OF } from './MemoryBackend.js';
import type { NormalizedQuery, StoredEventByKind, StoredKind } from './queries.js';
import { RedisReads } from './RedisReads.js';
import { clean, RedisUnavailableError, safeUrl } from './redisErrors.js';
import { BATCH_TIMEOUT_MS, DELETE_SCRIPT, type RedisKeys, redisKeys, SEQ_WIDTH, WRITE_SCRIPT } from './redisLayout.js';
import { type BatchTrade, fingerprint, HourTimes, isReply, newestOpen, withPnl } from './redisRows.js';
import { TABLES, type TableName } from './schema.js';
import type { Row } from './sqliteRows.js';
import { HourSums } from './tradeHours.js';

export { RedisUnavailableError, safeUrl } from './redisErrors.js';
export { redisKeys } from './redisLayout.js';

/** Where and as whom a bot's history is kept. */
export interface RedisHistoryOptions {
  /** `redis://[user:password@]host:port/db` or `rediss://…`. */
  readonly url: string;
  /** First part of every key. @default 'poseidon' */
  readonly prefix?: string;
  readonly botName?: string;
  readonly strategy?: string;
  readonly exchange?: string;
  /** Only reads (the CLI's reports): a replica is accepted and nothing is written, not even the bot's name. @default false */
  readonly readOnly?: boolean;
  /** Longest a connection attempt waits. @default 3000 */
  readonly connectTimeoutMs?: number;
  /** Longest one command waits for its answer; past it the connection is dropped and made anew. @default 2000 */
  readonly commandTimeoutMs?: number;
}

type Client = ReturnType<typeof createClient>;

/**
 * One bot's history in one Redis (see {@link redisKeys}): every method is a few round trips, and
 * a batch is one script. Used on a thread of its own: the bot's thread waits on none of it.
 */
export class RedisHistory {
  private client: Client | null = null;
  private opened = false;
  private readonly keys: RedisKeys;
  private readonly reads: RedisReads;
  private readonly owner: RecordOwner;
  private readonly ownerJson: string;
  private readonly connectTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  /** This process's batch tokens: `<random>:<n>`. */
  private readonly tokenBase = randomUUID();
  private tokens = 0;
  /** The last batch that failed without a clear answer: retried with the same token, so it is applied once. */
  private unsure: { token: string; print: string } | null = null;
  /** The stored sequence number as this writer last left it; null when it must be read again (a failure, another writer). */
  private seq: number | null = null;

  constructor(private readonly options: RedisHistoryOptions) {
    const bot = options.botName ?? '';
    const prefix = options.prefix ?? 'poseidon';
    this.keys = redisKeys(prefix, bot);
    this.reads = new RedisReads((args) => this.cmd(args), this.keys, prefix);
    this.owner = { bot, strategy: options.strategy ?? '', exchange: options.exchange ?? '' };
    this.ownerJson = ownerFields(this.owner);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2000;
  }

  /** Where it writes, without the password. */
  get where(): string {
    return safeUrl(this.options.url);
  }

  /** Connects and checks the server: a Redis that answers, takes this user, and accepts writes (a primary). */
  async open(): Promise<void> {
    if (this.opened) return;
    try {
      await this.connect();
      const pong = await this.cmd(['PING']);
      if (pong !== 'PONG') throw new Error(`answered PING with ${JSON.stringify(pong)}, not as Redis does`);
      if (this.options.readOnly !== true) {
        const role = (await this.cmd(['ROLE'])) as unknown[];
        if (Array.isArray(role) && role[0] !== 'master') {
          throw new Error(`is a read-only replica (role ${String(role[0])}); point POSEIDON_REDIS_URL at the primary`);
        }
        await this.cmd(['SADD', this.keys.bots, this.owner.bot]);
      }
    } catch (error) {
      this.drop();
      throw clean(error, `redis ${this.where} refused`);
    }
    this.opened = true;
  }

  private async connect(): Promise<Client> {
    if (this.client !== null) return this.client;
    const client = createClient({
      url: this.options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: this.connectTimeoutMs,
        // Before the first open, a failure is the answer (start() reports it); after it, retried with backoff.
        reconnectStrategy: (retries: number, cause: Error) => (this.opened ? Math.min(50 * 2 ** Math.min(retries, 6), 2000) : cause),
      },
    });
    // Reported through the commands that fail; an unhandled 'error' event would end the thread.
    client.on('error', () => undefined);
    this.client = client;
    try {
      await this.timed(client.connect(), 'connect');
    } catch (error) {
      this.drop();
      throw error;
    }
    return client;
  }

  /** Forgets the connection (after a command that did not answer: its state is unknown); the next command connects anew. */
  private drop(): void {
    const c = this.client;
    this.client = null;
    if (c === null) return;
    try {
      c.destroy();
    } catch {
      // Already closed.
    }
  }

  private timed<T>(p: Promise<T>, what: string, ms = this.commandTimeoutMs): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    });
    return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
  }

  private async cmd(args: string[], ms = this.commandTimeoutMs): Promise<unknown> {
    const client = this.client ?? (await this.connect());
    try {
      return await this.timed(client.sendCommand(args), args[0]!, ms);
    } catch (error) {
      if (/no answer within/.test((error as Error).message)) this.drop();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.opened = false;
    const c = this.client;
    this.client = null;
    if (c === null) return;
    try {
      await this.timed(c.close(), 'close');
    } catch {
      c.destroy();
    }
  }

  /** Writes rows `start..end` in one script; returns the rows stored. Throws {@link RedisUnavailableError}, the rows then not written. */
  async write(rows: RowBatch, start: number, end: number): Promise<number> {
    if (!this.opened) throw new Error('history store is not open');
    try {
      const written = await this.writeOnce(rows, start, end);
      return written !== null ? written : ((await this.writeOnce(rows, start, end)) ?? this.stale());
    } catch (error) {
      throw error instanceof RedisUnavailableError ? error : clean(error, `redis ${this.where}: batch of ${end - start} rows not written`);
    }
  }

  private stale(): never {
    throw new RedisUnavailableError(`redis ${this.where}: another writer keeps moving this bot's sequence number`);
  }

  /** One attempt; null when the sequence number had moved (then read again). */
  private async writeOnce(rows: RowBatch, start: number, end: number): Promise<number | null> {
    const perTable = new Map<TableName, ([number, string] | BatchTrade)[]>(TABLES.map((t) => [t, []]));
    const batchTrades: BatchTrade[] = [];
    const fills: { score: string; old: string; now: string }[] = [];
    const sums = new HourSums();
    const times = new HourTimes();
    let count = 0;
    let balance: BalanceState | null | undefined;
    for (let i = start; i < end; i++) {
      const e = rows.at(i);
      const given = balanceOf(e);
      if (given !== null) {
        if (balance === undefined) balance = await this.reads.lastBalance();
        balance = nextBalanceState(balance, given, e.timestamp);
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
          sums.addRealized(this.owner.bot, e.timestamp, e.symbol, e.realizedPnl);
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
    const before = this.seq ?? Number((await this.cmd(['GET', this.keys.seq])) ?? 0);
    let seq = before;
    const member = (record: string) => `${(++seq).toString(16).padStart(SEQ_WIDTH, '0')}${record}`;
    const args: string[] = [String(before), String(before + count)];
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
        sums.addTrade(
          this.owner.bot,
          e.timestamp,
          e.symbol,
          e.side,
          e.notionalValue,
          e.fee,
          r.realized,
          e.executionTimeMs,
          e.slippageBps,
          1,
        );
        times.add(e.timestamp, e.executionTimeMs, 1);
        args.push(String(e.timestamp), member(tradeLine(e, this.ownerJson, r.realized, r.source)));
      }
    }
    const hours: string[] = [];
    sums.drain((_bot, hourStart, symbol, f) => hours.push(`${hourStart}|${symbol}`, Array.from(f, String).join(',')));
    args.push(String(hours.length / 2), ...hours);
    const timeKeys = times.drain(this.keys.times, args);
    args.push(String(fills.length));
    for (const f of fills) args.push(f.score, f.old, f.now);
    const carried = trades.length > 0 ? await this.carried(trades) : [];
    args.push(String(carried.length));
    for (const p of carried) args.push(p.symbol, JSON.stringify(p));
    args.push(balance === undefined || balance === null ? '' : JSON.stringify(balance));
    const token = this.tokenFor(rows, start, end);
    const k = this.keys;
    let answer: unknown;
    this.seq = null;
    try {
      answer = await this.cmd(
        [
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
          token,
          ...args,
        ],
        // A batch of thousands of rows is one script: it gets longer than a single command.
        Math.max(this.commandTimeoutMs, BATCH_TIMEOUT_MS),
      );
    } catch (error) {
      // A reply from Redis (OOM, READONLY, …) means the script did not run; anything else may have applied it.
      if (!isReply(error)) this.unsure = { token, print: fingerprint(rows, start, end) };
      throw clean(error, `redis ${this.where}: batch of ${end - start} rows not written`);
    }
    this.unsure = null;
    if (answer === -2) return null;
    if (answer !== -1) this.seq = before + count;
    return count;
  }

  private tokenFor(rows: RowBatch, start: number, end: number): string {
    if (this.unsure !== null && this.unsure.print === fingerprint(rows, start, end)) return this.unsure.token;
    return `${this.tokenBase}:${++this.tokens}`;
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

  /** Positions after `trades`, for their symbols, from the carried ones. */
  private async carried(trades: readonly TradeMetric[]): Promise<Position[]> {
    const symbols = [...new Set(trades.map((t) => t.symbol))];
    const stored = (await this.cmd(['HMGET', this.keys.carry, ...symbols])) as (string | null)[];
    const before = stored.filter((s): s is string => s !== null).map((s) => JSON.parse(s) as Position);
    return carryPositions(before, trades);
  }

  // ----- reads, answered by RedisReads over this connection -----

  query<K extends StoredKind>(kind: K, q: NormalizedQuery): Promise<StoredEventByKind[K][]> {
    return this.reads.query(kind, q);
  }

  /** Answers one of the {@link AnalyticsQueries}, reading only the rows (or hour sums) of its range. */
  analytics(method: keyof AnalyticsQueries, args: unknown[]): Promise<unknown> {
    return this.reads.analytics(method, args);
  }

  lastGrowthBefore(hourStart: number): Promise<GrowthMetric | null> {
    return this.reads.lastGrowthBefore(hourStart);
  }

  positions(): Promise<Position[]> {
    return this.reads.positions();
  }

  lastBalance(): Promise<BalanceState | null> {
    return this.reads.lastBalance();
  }

  /** Bots under this prefix with at least one row, sorted. */
  bots(): Promise<string[]> {
    return this.reads.bots();
  }

  counts(): Promise<TableCounts> {
    return this.reads.counts();
  }

  /** Memory the bot's keys take in Redis (`MEMORY USAGE`, sampled). */
  sizeBytes(): Promise<number> {
    return this.reads.sizeBytes();
  }

  /** Deletes at most `limit` rows of `table` stamped before `cutoff` (trades also leave the hour sums); returns how many. */
  async deleteOlderThan(table: TableName, cutoff: number, limit: number): Promise<number> {
    const key = this.keys.table(table);
    const members = (await this.cmd(['ZRANGE', key, '-inf', `(${cutoff}`, 'BYSCORE', 'LIMIT', '0', String(limit)])) as string[];
    if (members.length === 0) return 0;
    const hours: string[] = [];
    const times = new HourTimes();
    if (table === 'trades') {
      const sums = new HourSums();
      for (const m of members) {
        const t = this.reads.decode('trades', m) as TradeMetric;
        sums.addTrade(
          '',
          t.timestamp,
          t.symbol,
          t.side,
          t.notionalValue,
          t.fee,
          this.reads.realizedPnl(t),
          t.executionTimeMs,
          t.slippageBps,
          -1,
        );
        times.add(t.timestamp, t.executionTimeMs, -1);
      }
      sums.drain((_bot, hourStart, symbol, f) => hours.push(`${hourStart}|${symbol}`, Array.from(f, String).join(',')));
    }
    const k = this.keys;
    const timeArgs = [String(hours.length / 2), ...hours];
    const timeKeys = times.drain(k.times, timeArgs);
    const removed = await this.cmd([
      'EVAL',
      DELETE_SCRIPT,
      String(5 + timeKeys.length),
      k.seq,
      k.lastBatch,
      k.hours,
      key,
      k.hourIndex,
      ...timeKeys,
      ...timeArgs,
      ...members,
    ]);
    return Number(removed);
  }
}
