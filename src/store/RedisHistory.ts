// RedisHistory: one bot's history in Redis through node-redis (asynchronous), the work behind the redis backend's threads.

import { createHash, randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import type { AnalyticsQueries, TimeRange } from '../analytics/AnalyticsQueries.js';
import { AGGREGATE_KEYS, sumAggregates } from '../analytics/AnalyticsQueries.js';
import { hourStartOf } from '../analytics/GrowthTracker.js';
import type { Position } from '../analytics/PnlLedger.js';
import { carryPositions } from '../analytics/positionCarry.js';
import { EventType, type GrowthMetric, type MonitorEvent, type TradeMetric } from '../events/types.js';
import { jsonNumber } from '../internal/numberText.js';
import { redactText } from '../internal/redact.js';
import { type BalanceState, balanceOf, nextBalanceState } from './balanceState.js';
import type { RowBatch } from './batchCodec.js';
import { fromRecord, ownerFields, type RecordOwner, realizedOf, toRecord, tradeLine } from './fileRecords.js';
import type { TableCounts } from './HistoryReader.js';
import { MemoryAnalytics } from './MemoryAnalytics.js';
import { KIND_TABLE, TABLE_OF } from './MemoryBackend.js';
import { EVENT_TYPE_OF, matches, type NormalizedQuery, type StoredEventByKind, type StoredKind } from './queries.js';
import { nearestRank, wholeHours } from './SqliteAnalytics.js';
import { TABLES, type TableName } from './schema.js';
import type { Row } from './sqliteRows.js';
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

/** The keys of one bot: all share the `{bot}` hash tag, so in Redis Cluster they live in one slot and a script may touch them all. */
export function redisKeys(prefix: string, bot: string) {
  const base = `${prefix}:{${bot}}`;
  return {
    /** One sorted set per table: score the row's timestamp, member a 16-digit hex sequence number and the row's JSON record. */
    table: (t: TableName) => `${base}:${t}`,
    /** Last sequence number given to a row (orders rows of the same millisecond as they were written). */
    seq: `${base}:seq`,
    /** Hash `<hourStart>|<symbol>` → the hour's trade figures (TRADE_HOUR_FIGURES, comma-separated). */
    hours: `${base}:trade_hours`,
    /** Sorted set of the hash's fields scored by hour, so a range reads only its hours. */
    hourIndex: `${base}:trade_hours_index`,
    /** Hash per UTC hour: execution time (as text) → how many of the hour's trades took it, so percentiles read hours, not trades. */
    times: (hourStart: number) => `${base}:trade_times:${hourStart}`,
    /** Hash symbol → the position every trade written (deleted ones included) left, as JSON. */
    carry: `${base}:position_carry`,
    /** The last balance given and its hour's opening one (BalanceState, as JSON). */
    balance: `${base}:balance`,
    /** Token of the last batch applied, so a batch retried after a lost answer is not applied twice. */
    lastBatch: `${base}:last_batch`,
    /** Every bot with history under this prefix (its own slot: written apart from the bot's keys). */
    bots: `${prefix}:bots`,
  };
}

/** Longest a batch's script may take before the connection is given up on (its rows are then retried). */
const BATCH_TIMEOUT_MS = 15_000;

/** Characters before a member's JSON record: its sequence number in hex. */
const SEQ_WIDTH = 16;

/**
 * Adds hour deltas (ARGV from `i`: count, then field and comma-separated figures) to the hour sums
 * in KEYS[3], keeping the hour index (KEYS[index]) in step; then execution-time counts (ARGV: count
 * of hours, then per hour a count and (time, delta) pairs, the hours' keys from KEYS[first]); returns the next index.
 */
const ADD_HOURS = `
local function addTimes(i, first)
  local h = tonumber(ARGV[i]); i = i + 1
  for k = 1, h do
    local key = KEYS[first + k - 1]
    local m = tonumber(ARGV[i]); i = i + 1
    for j = 1, m do
      if redis.call('HINCRBY', key, ARGV[i], ARGV[i + 1]) <= 0 then redis.call('HDEL', key, ARGV[i]) end
      i = i + 2
    end
  end
  return i
end
local function addHours(i, index)
  local h = tonumber(ARGV[i]); i = i + 1
  for k = 1, h do
    local field, delta = ARGV[i], ARGV[i + 1]; i = i + 2
    local old = redis.call('HGET', KEYS[3], field)
    local f = {}
    if old then for x in string.gmatch(old, '[^,]+') do f[#f + 1] = tonumber(x) end end
    local out = {}
    local j = 1
    for x in string.gmatch(delta, '[^,]+') do
      out[j] = string.format('%.17g', (f[j] or 0) + tonumber(x)); j = j + 1
    end
    if tonumber(out[1]) <= 0 then
      redis.call('HDEL', KEYS[3], field)
      redis.call('ZREM', KEYS[index], field)
    else
      if not old then redis.call('ZADD', KEYS[index], tonumber(string.match(field, '^[^|]+')), field) end
      redis.call('HSET', KEYS[3], field, table.concat(out, ','))
    end
  end
  return i
end
`;

/**
 * Applies one batch atomically (a script runs whole), unless its token is the last one applied (-1), or the
 * sequence number is not the one the members were numbered from (-2: another writer moved it; renumbered and sent again).
 * KEYS: seq, lastBatch, hours, carry, the six tables in TABLES order, balance, the hour index, the execution-time
 * hours. ARGV: token, the sequence number before and after the batch, then per table a count and (score, member)
 * pairs (members already numbered, so each table is a few ZADDs of the arguments as given), then hour deltas,
 * execution-time counts, then P&L fills (count, score, old member, new member), then carried positions (count,
 * symbol, JSON), then the balance state ('' for unchanged).
 */
const WRITE_SCRIPT = `${ADD_HOURS}
if redis.call('GET', KEYS[2]) == ARGV[1] then return -1 end
if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[2]) then return -2 end
local i = 4
for t = 1, 6 do
  local last = i + 2 * tonumber(ARGV[i])
  i = i + 1
  while i <= last do
    local stop = math.min(i + 1999, last)
    redis.call('ZADD', KEYS[4 + t], unpack(ARGV, i, stop))
    i = stop + 1
  end
end
redis.call('SET', KEYS[1], ARGV[3])
i = addTimes(addHours(i, 12), 13)
local p = tonumber(ARGV[i]); i = i + 1
for k = 1, p do
  if redis.call('ZREM', KEYS[5], ARGV[i + 1]) == 1 then redis.call('ZADD', KEYS[5], ARGV[i], ARGV[i + 2]) end
  i = i + 3
end
local c = tonumber(ARGV[i]); i = i + 1
for k = 1, c do redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]); i = i + 2 end
if ARGV[i] ~= '' then redis.call('SET', KEYS[11], ARGV[i]) end
redis.call('SET', KEYS[2], ARGV[1])
return 0
`;

/** Retention: removes members (ARGV after the hour deltas and time counts) of the table KEYS[4], and takes deleted trades out of the hour sums and time counts. KEYS: -, -, hours, table, hour index, the execution-time hours. */
const DELETE_SCRIPT = `${ADD_HOURS}
local i = addTimes(addHours(1, 5), 6)
local n = 0
while i <= #ARGV do
  local last = math.min(i + 999, #ARGV)
  n = n + redis.call('ZREM', KEYS[4], unpack(ARGV, i, last))
  i = last + 1
end
return n
`;

/** A trade of the batch being written, with the P&L it is stored with. */
interface BatchTrade {
  readonly e: TradeMetric;
  realized: number | null;
  source: 'caller' | 'ledger' | null;
}

/** A failure a retry may cure (the connection, a full or read-only Redis): the rows are kept. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/** `url` without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = 'REDACTED';
    return u.toString();
  } catch {
    return redactText(url);
  }
}

/** An error of the client, its text redacted (a client may quote the URL it was given). */
function clean(error: unknown, what: string): RedisUnavailableError {
  const message = error instanceof Error ? error.message : String(error);
  return new RedisUnavailableError(`${what}: ${redactText(message)}`);
}

type Client = ReturnType<typeof createClient>;

/** Kahan–Babuška–Neumaier summation step, as SQLite's sum() adds REAL values. */
function kbnAdd(acc: { sum: number; err: number }, v: number): void {
  const t = acc.sum + v;
  acc.err += Math.abs(acc.sum) >= Math.abs(v) ? acc.sum - t + v : v - t + acc.sum;
  acc.sum = t;
}

/**
 * One bot's history in one Redis (see {@link redisKeys}): every method is a few round trips, and
 * a batch is one script. Used on a thread of its own: the bot's thread waits on none of it.
 */
export class RedisHistory {
  private client: Client | null = null;
  private opened = false;
  private readonly keys: ReturnType<typeof redisKeys>;
  private readonly owner: RecordOwner;
  private readonly ownerJson: string;
  private readonly connectTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  /** This process's batch tokens: `<random>:<n>`. */
  private readonly tokenBase = randomUUID();
  private tokens = 0;
  /** The last batch that failed without a clear answer: retried with the same token, so it is applied once. */
  private unsure: { token: string; print: string } | null = null;
  private realizedOf = new WeakMap<TradeMetric, number>();
  /** The stored sequence number as this writer last left it; null when it must be read again (a failure, another writer). */
  private seq: number | null = null;

  constructor(private readonly options: RedisHistoryOptions) {
    const bot = options.botName ?? '';
    this.keys = redisKeys(options.prefix ?? 'poseidon', bot);
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
        if (balance === undefined) balance = await this.lastBalance();
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

  // ----- reads -----

  /** Decoded rows of `table` stamped in `[since, until)`, oldest first. */
  private async rowsIn(table: TableName, range: TimeRange | null): Promise<MonitorEvent[]> {
    const min = range === null ? '-inf' : String(range.since);
    const max = range === null ? '+inf' : `(${range.until}`;
    const members = (await this.cmd(['ZRANGE', this.keys.table(table), min, max, 'BYSCORE'])) as string[];
    return members.map((m) => this.decode(table, m));
  }

  private decode(table: TableName, member: string): MonitorEvent {
    const record = JSON.parse(member.slice(SEQ_WIDTH)) as Row;
    const e = fromRecord(table, record);
    if (table === 'trades') {
      const { realized } = realizedOf(record);
      if (realized !== null) this.realizedOf.set(e as TradeMetric, realized);
    }
    return e;
  }

  private readonly realizedPnl = (t: TradeMetric): number | null => this.realizedOf.get(t) ?? null;

  async query<K extends StoredKind>(kind: K, q: NormalizedQuery): Promise<StoredEventByKind[K][]> {
    const table = KIND_TABLE[kind];
    const type = EVENT_TYPE_OF[kind];
    const max = q.until === null ? '+inf' : `(${q.until}`;
    const min = q.since === null ? '-inf' : String(q.since);
    const out: StoredEventByKind[K][] = [];
    // Newest first, a page at a time, until `limit` rows match the filters.
    const page = Math.min(Math.max(q.limit * 2, 500), 50_000);
    for (let offset = 0; out.length < q.limit; offset += page) {
      const members = (await this.cmd([
        'ZRANGE',
        this.keys.table(table),
        max,
        min,
        'BYSCORE',
        'REV',
        'LIMIT',
        String(offset),
        String(page),
      ])) as string[];
      for (const m of members) {
        const e = this.decode(table, m);
        if (e.eventType === type && matches(q, e)) out.push(e as StoredEventByKind[K]);
        if (out.length >= q.limit) break;
      }
      if (members.length < page) break;
    }
    return out;
  }

  /** Answers one of the {@link AnalyticsQueries}, reading only the rows (or hour sums) of its range. */
  async analytics(method: keyof AnalyticsQueries, args: unknown[]): Promise<unknown> {
    const range = args[0] as TimeRange;
    switch (method) {
      case 'tradeAggregate':
        if (wholeHours(range) !== null) return sumAggregates(await this.tradeAggregateBySymbol(range));
        return (await this.over({ trades: range })).tradeAggregate(range);
      case 'tradeAggregateBySymbol':
        return this.tradeAggregateBySymbol(range);
      case 'executionTimePercentiles':
        return this.executionTimePercentiles(range, args[1] as number[]);
      case 'recentTrades': {
        const limit = args[0] as number;
        const members = (await this.cmd([
          'ZRANGE',
          this.keys.table('trades'),
          '+inf',
          '-inf',
          'BYSCORE',
          'REV',
          'LIMIT',
          '0',
          String(limit),
        ])) as string[];
        const trades = members.map((m) => this.decode('trades', m) as TradeMetric).reverse();
        return this.analyticsOf({ trades }).recentTrades(limit);
      }
      case 'growthRows':
        return (await this.over({ growth: null })).growthRows(range);
      case 'loopAggregates':
        return (await this.over({ loops: range })).loopAggregates(range);
      case 'loopDurationPercentile':
        return (await this.over({ loops: range })).loopDurationPercentile(range, args[1] as string, args[2] as number);
      case 'errorCounts':
        return (await this.over({ errors: range })).errorCounts(range);
      case 'minuteTotals':
        return (await this.over({ trades: range, errors: range })).minuteTotals(range);
      default:
        throw new Error(`unknown analytics query ${String(method)}`);
    }
  }

  /**
   * Whole UTC hours from the hour sums, the partial hours at the edges from the rows, per symbol:
   * the same figures as adding up the range's rows.
   */
  private async tradeAggregateBySymbol(range: TimeRange) {
    const hours = wholeHours(range);
    if (hours === null) return (await this.over({ trades: range })).tradeAggregateBySymbol(range);
    const bySymbol = new Map<string, { sum: number; err: number }[]>();
    const acc = (symbol: string) => {
      let a = bySymbol.get(symbol);
      if (a === undefined) {
        a = AGGREGATE_KEYS.map(() => ({ sum: 0, err: 0 }));
        bySymbol.set(symbol, a);
      }
      return a;
    };
    const fields = (await this.cmd(['ZRANGE', this.keys.hourIndex, String(hours.since), `(${hours.until}`, 'BYSCORE'])) as string[];
    const values = fields.length === 0 ? [] : ((await this.cmd(['HMGET', this.keys.hours, ...fields])) as (string | null)[]);
    const rows: { hour: number; symbol: string; f: number[] }[] = [];
    fields.forEach((field, i) => {
      const value = values[i];
      if (value === null || value === undefined) return;
      const bar = field.indexOf('|');
      rows.push({ hour: Number(field.slice(0, bar)), symbol: field.slice(bar + 1), f: value.split(',').map(Number) });
    });
    rows.sort((a, b) => a.hour - b.hour);
    for (const r of rows) {
      const a = acc(r.symbol);
      for (let i = 0; i < r.f.length; i++) kbnAdd(a[i]!, r.f[i]!);
    }
    type Agg = { symbol: string } & Record<(typeof AGGREGATE_KEYS)[number], number>;
    const parts: Agg[] = [...bySymbol].map(
      ([symbol, a]) =>
        Object.assign({ symbol }, Object.fromEntries(AGGREGATE_KEYS.map((k, i) => [k, a[i]!.sum + a[i]!.err]))) as unknown as Agg,
    );
    for (const edge of [
      { since: range.since, until: hours.since },
      { since: hours.until, until: range.until },
    ]) {
      if (edge.until <= edge.since) continue;
      parts.push(...((await this.over({ trades: edge })).tradeAggregateBySymbol(edge) as Agg[]));
    }
    const merged = new Map<string, Agg>();
    for (const p of parts) {
      const s = merged.get(p.symbol);
      if (s === undefined) merged.set(p.symbol, { ...p });
      else for (const k of AGGREGATE_KEYS) s[k] += p[k];
    }
    return [...merged.values()].sort((a, b) => Buffer.compare(Buffer.from(a.symbol), Buffer.from(b.symbol)));
  }

  /**
   * Nearest-rank percentiles of the range's execution times: whole UTC hours from their time
   * counts, the partial hours at the edges from the records' text (no whole record parsed).
   */
  private async executionTimePercentiles(range: TimeRange, percentiles: readonly number[]): Promise<(number | null)[]> {
    const counts = new Map<string, number>();
    const add = (text: string, n: number) => counts.set(text, (counts.get(text) ?? 0) + n);
    const hours = wholeHours(range);
    const edges =
      hours === null
        ? [range]
        : [
            { since: range.since, until: hours.since },
            { since: hours.until, until: range.until },
          ];
    const reads: Promise<void>[] = edges
      .filter((e) => e.until > e.since)
      .map(async (edge) => {
        const members = (await this.cmd([
          'ZRANGE',
          this.keys.table('trades'),
          String(edge.since),
          `(${edge.until}`,
          'BYSCORE',
        ])) as string[];
        for (const m of members) {
          // The record's own field comes before any nested data, so the first match is it.
          const at = m.indexOf(EXECUTION_FIELD) + EXECUTION_FIELD.length;
          add(String(Number(m.slice(at, m.indexOf(',', at)))), 1);
        }
      });
    if (hours !== null) {
      const fields = (await this.cmd(['ZRANGE', this.keys.hourIndex, String(hours.since), `(${hours.until}`, 'BYSCORE'])) as string[];
      const starts = new Set(fields.map((f) => Number(f.slice(0, f.indexOf('|')))));
      for (const hour of starts) {
        reads.push(
          (this.cmd(['HGETALL', this.keys.times(hour)]) as Promise<unknown>).then((flat) => {
            const list = flatPairs(flat);
            for (let i = 0; i < list.length; i += 2) add(list[i]!, Number(list[i + 1]));
          }),
        );
      }
    }
    await Promise.all(reads);
    return rankedPercentiles(counts, percentiles);
  }

  private async over(ranges: { trades?: TimeRange; loops?: TimeRange; errors?: TimeRange; growth?: null }): Promise<MemoryAnalytics> {
    return this.analyticsOf({
      trades: ranges.trades === undefined ? [] : ((await this.rowsIn('trades', ranges.trades)) as TradeMetric[]),
      loops: ranges.loops === undefined ? [] : await this.rowsIn('loop_executions', ranges.loops),
      errors: ranges.errors === undefined ? [] : await this.rowsIn('errors', ranges.errors),
      growth: ranges.growth === undefined ? [] : await this.rowsIn('growth_metrics', null),
    });
  }

  private analyticsOf(t: {
    trades?: readonly MonitorEvent[];
    loops?: readonly MonitorEvent[];
    errors?: readonly MonitorEvent[];
    growth?: readonly MonitorEvent[];
  }) {
    return new MemoryAnalytics({
      trades: () => (t.trades ?? []) as TradeMetric[],
      loops: () => (t.loops ?? []) as never[],
      errors: () => (t.errors ?? []) as never[],
      growth: () => (t.growth ?? []) as GrowthMetric[],
      realizedPnlOf: this.realizedPnl,
    });
  }

  async lastGrowthBefore(hourStart: number): Promise<GrowthMetric | null> {
    let best: GrowthMetric | null = null;
    for (const e of (await this.rowsIn('growth_metrics', null)) as GrowthMetric[]) {
      if (e.hourStart < hourStart && (best === null || e.hourStart >= best.hourStart)) best = e;
    }
    return best;
  }

  async positions(): Promise<Position[]> {
    const all = (await this.cmd(['HVALS', this.keys.carry])) as string[];
    return all.map((s) => JSON.parse(s) as Position).sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  async lastBalance(): Promise<BalanceState | null> {
    const stored = (await this.cmd(['GET', this.keys.balance])) as string | null;
    return stored === null ? null : (JSON.parse(stored) as BalanceState);
  }

  /** Bots under this prefix with at least one row, sorted. */
  async bots(): Promise<string[]> {
    const prefix = this.options.prefix ?? 'poseidon';
    const names = ((await this.cmd(['SMEMBERS', this.keys.bots])) as string[]).sort();
    const out: string[] = [];
    for (const name of names) {
      const keys = redisKeys(prefix, name);
      for (const t of TABLES) {
        if (Number(await this.cmd(['ZCARD', keys.table(t)])) > 0) {
          out.push(name);
          break;
        }
      }
    }
    return out;
  }

  async counts(): Promise<TableCounts> {
    const out = {} as Record<TableName, number>;
    for (const t of TABLES) out[t] = Number(await this.cmd(['ZCARD', this.keys.table(t)]));
    return out;
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
        const t = this.decode('trades', m) as TradeMetric;
        sums.addTrade('', t.timestamp, t.symbol, t.side, t.notionalValue, t.fee, this.realizedPnl(t), t.executionTimeMs, t.slippageBps, -1);
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

  /** Memory the bot's keys take in Redis (`MEMORY USAGE`, sampled). */
  async sizeBytes(): Promise<number> {
    let total = 0;
    const k = this.keys;
    for (const key of [...TABLES.map(k.table), k.hours, k.hourIndex, k.carry])
      total += Number((await this.cmd(['MEMORY', 'USAGE', key])) ?? 0);
    return total;
  }
}

/** The newest trade of the batch with that id, symbol and time and no P&L yet. */
function newestOpen(batch: readonly BatchTrade[], id: string, symbol: string, ts: number): BatchTrade | null {
  for (let j = batch.length - 1; j >= 0; j--) {
    const b = batch[j]!;
    if (b.e.executionId === id && b.e.symbol === symbol && b.e.timestamp === ts && b.source === null) return b;
  }
  return null;
}

const EXECUTION_FIELD = '"execution_time_ms":';

/** HGETALL's answer as [field, value, …] (node-redis gives a flat list over RESP2, an object otherwise). */
function flatPairs(reply: unknown): string[] {
  if (Array.isArray(reply)) return reply as string[];
  return Object.entries(reply as Record<string, string>).flat();
}

/** Nearest-rank percentiles of values given as text (as the records hold them, -0 as 0) → how many: the same answer as sorting them all. */
function rankedPercentiles(counts: ReadonlyMap<string, number>, percentiles: readonly number[]): (number | null)[] {
  const values = [...counts]
    .map(([text, n]) => ({ v: Number(text), n }))
    .filter((x) => x.n > 0)
    .sort((a, b) => a.v - b.v);
  let total = 0;
  for (const x of values) total += x.n;
  return percentiles.map((p) => {
    if (total === 0) return null;
    const rank = nearestRank(p, total);
    let seen = 0;
    for (const x of values) {
      seen += x.n;
      if (seen >= rank) return x.v;
    }
    return null;
  });
}

/** A batch's execution-time counts per UTC hour, for the hours' `trade_times` hashes. */
class HourTimes {
  private readonly hours = new Map<number, Map<string, number>>();

  add(timestamp: number, executionTimeMs: number, sign: 1 | -1): void {
    const hour = hourStartOf(timestamp);
    let m = this.hours.get(hour);
    if (m === undefined) {
      m = new Map();
      this.hours.set(hour, m);
    }
    const text = String(executionTimeMs);
    m.set(text, (m.get(text) ?? 0) + sign);
  }

  /** Appends the script's arguments (count of hours, then per hour a count and pairs) to `args`; returns the hours' keys in that order. */
  drain(keyOf: (hourStart: number) => string, args: string[]): string[] {
    const keys: string[] = [];
    args.push(String(this.hours.size));
    for (const [hour, m] of this.hours) {
      keys.push(keyOf(hour));
      args.push(String(m.size));
      for (const [text, n] of m) args.push(text, String(n));
    }
    this.hours.clear();
    return keys;
  }
}

const NO_PNL = '"realized_pnl":null,"pnl_source":null';

/** A stored trade's member with the ledger's P&L filled in (the first such text is the record's own field: it comes before any nested data). */
function withPnl(member: string, realized: number): string {
  const at = member.indexOf(NO_PNL, SEQ_WIDTH);
  return `${member.slice(0, at)}"realized_pnl":${jsonNumber(realized)},"pnl_source":"ledger"${member.slice(at + NO_PNL.length)}`;
}

/** True for an error Redis answered with (the command was refused, so it did nothing). */
function isReply(error: unknown): boolean {
  return error instanceof Error && error.constructor.name === 'ErrorReply';
}

/** A digest of a batch's rows, to know a retried batch from a new one. */
function fingerprint(rows: RowBatch, start: number, end: number): string {
  const h = createHash('sha1');
  for (let i = start; i < end; i++) h.update(JSON.stringify(rows.at(i)));
  return h.digest('hex');
}
