// RedisHistory: one bot's history in Redis through node-redis (asynchronous), the work behind the redis backend's threads.

import { createClient } from 'redis';
import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import type { GrowthMetric, TradeMetric } from '../events/types.js';
import type { BalanceState } from './balanceState.js';
import type { RowBatch } from './batchCodec.js';
import { ownerFields, type RecordOwner } from './fileRecords.js';
import type { TableCounts } from './HistoryReader.js';
import type { NormalizedQuery, StoredEventByKind, StoredKind } from './queries.js';
import { RedisReads } from './RedisReads.js';
import { type ChunkedWrite, RedisWriter } from './RedisWriter.js';
import { clean, RedisUnavailableError, safeUrl } from './redisErrors.js';
import { DELETE_SCRIPT, type RedisKeys, redisKeys } from './redisLayout.js';
import { HourTimes } from './redisRows.js';
import type { TableName } from './schema.js';
import { HourSums } from './tradeHours.js';

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
  private readonly connectTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  private readonly writer: RedisWriter;

  constructor(private readonly options: RedisHistoryOptions) {
    const bot = options.botName ?? '';
    const prefix = options.prefix ?? 'poseidon';
    this.keys = redisKeys(prefix, bot);
    this.reads = new RedisReads((args) => this.cmd(args), this.keys, prefix);
    this.owner = { bot, strategy: options.strategy ?? '', exchange: options.exchange ?? '' };
    this.writer = new RedisWriter(
      (args, ms) => this.cmd(args, ms),
      this.keys,
      this.owner,
      ownerFields(this.owner),
      () => this.where,
    );
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

  private async cmd(args: (string | Buffer)[], ms = this.commandTimeoutMs): Promise<unknown> {
    const client = this.client ?? (await this.connect());
    try {
      return await this.timed(client.sendCommand(args), String(args[0]), ms);
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
    const r = await this.writer.write(rows, start, end, Number.POSITIVE_INFINITY, true);
    if (r.error !== null) throw r.error;
    return r.written;
  }

  /** Writes rows `start..end` as scripts of at most `chunkRows` rows, sent without waiting for each other (see {@link RedisWriter.write}). */
  writeChunks(rows: RowBatch, start: number, end: number, chunkRows?: number): Promise<ChunkedWrite> {
    if (!this.opened) throw new Error('history store is not open');
    return this.writer.write(rows, start, end, chunkRows);
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
