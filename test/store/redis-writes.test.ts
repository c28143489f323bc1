// The redis history's writes in parts against a real redis-server: the same keys as one script, and a lost command or answer sent again without a double write.

import { afterEach, describe, expect, it } from 'vitest';
import { buildError, buildProfitLoss, buildSystemEvent, buildTrade } from '../../src/events/build.js';
import type { MonitorEvent } from '../../src/events/types.js';
import { RowBatch } from '../../src/store/batchCodec.js';
import { RedisHistory } from '../../src/store/RedisHistory.js';
import { type ChunkedWrite, chunkEnd } from '../../src/store/RedisWriter.js';
import { redisKeys, WRITE_SCRIPT } from '../../src/store/redisLayout.js';
import { TABLES } from '../../src/store/schema.js';
import { findRedisServer, type RedisProxy, type RedisServer, startRedis, startRedisProxy } from '../helpers/redis.js';
import { T0 } from './helpers.js';

const REDIS_SERVER = findRedisServer();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function redis(): Promise<RedisServer> {
  const s = await startRedis(REDIS_SERVER!);
  closers.push(() => s.stop());
  return s;
}

async function proxy(server: RedisServer): Promise<RedisProxy> {
  const p = await startRedisProxy(server.port);
  closers.push(() => p.close());
  return p;
}

async function history(url: string, prefix = 'poseidon'): Promise<RedisHistory> {
  const h = new RedisHistory({ url, prefix, botName: 'alpha', commandTimeoutMs: 2000 });
  await h.open();
  closers.push(() => h.close());
  return h;
}

/**
 * `n` trades from `from` on two symbols, every sell followed by its P&L event (as the ledger
 * emits it), with a balance update and an error among them.
 */
function rows(n: number, from = 0): RowBatch {
  const out: MonitorEvent[] = [];
  for (let i = from; i < from + n; i++) {
    const at = T0 + i * 1000;
    const symbol = i % 2 === 0 ? 'BTC' : 'ETH';
    const side = i % 4 < 2 ? 'buy' : 'sell';
    out.push(buildTrade({ symbol, side, quantity: 1, price: 100 + (i % 7), executionId: `t${i}` }, at));
    if (side === 'sell') {
      out.push(
        buildProfitLoss({
          timestamp: at,
          symbol,
          executionId: `t${i}`,
          realizedPnl: i % 7,
          positionQuantity: 0,
          averageCost: 100,
          cumulativeRealizedPnl: i,
        }),
      );
    }
    if (i % 10 === 5) out.push(buildSystemEvent('balance_updated', 'balance', { balance: 1000 + i }, at));
    if (i % 10 === 7) out.push(buildError(`failure ${i}`, { errorType: 'api_error' }, at));
  }
  const batch = new RowBatch(undefined, out.length);
  for (const e of out) batch.push(e);
  return batch;
}

/** Every key of `prefix` with its whole content (members in order, without their sequence number), keys named without the prefix. */
async function dump(server: RedisServer, prefix: string): Promise<Record<string, string>> {
  const keys = (await server.command('KEYS', `${prefix}:*`)).match(/[^\r\n]+:\{alpha\}[^\r\n]*/g) ?? [];
  const out: Record<string, string> = {};
  for (const key of keys.sort()) {
    const type = (await server.command('TYPE', key)).trim();
    const read =
      type === '+zset'
        ? ['ZRANGE', key, '0', '-1', 'WITHSCORES']
        : type === '+hash'
          ? ['HGETALL', key]
          : type === '+string'
            ? ['GET', key]
            : ['TYPE', key];
    // Members without their sequence number: one script numbers a table's rows together, parts number them as they come.
    out[key.slice(prefix.length)] = (await server.command(...read)).replace(/\b[0-9a-f]{16}\{/g, '{');
  }
  return out;
}

/**
 * A real redis-server behind a proxy, and a history through it that has written `warm` (so it knows the
 * sequence number, positions and balance: a lost answer is then a script's).
 */
async function throughProxy(warm: RowBatch): Promise<{ server: RedisServer; p: RedisProxy; h: RedisHistory }> {
  const server = await redis();
  const p = await proxy(server);
  const h = await history(p.url);
  expect((await h.writeChunks(warm, 0, warm.length, 5)).error).toBeNull();
  return { server, p, h };
}

/** Retries `write` while the client is still reconnecting (each failure answered at once, nothing written). */
async function untilWritten(write: () => Promise<ChunkedWrite>): Promise<ChunkedWrite> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await write();
    if (r.error === null || Date.now() > deadline) return r;
    expect(r.consumed).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(REDIS_SERVER === null)('redis history writes in parts', () => {
  it('a batch sent as scripts of a few rows leaves every key as one script does, P&L kept with its trade across a part boundary', async () => {
    const server = await redis();
    const batch = rows(60);
    const whole = await history(server.url, 'one');
    const parts = await history(server.url, 'many');
    expect(await whole.write(batch, 0, batch.length)).toBe(66);
    // 7 rows a part: parts end after a sell's P&L event, never between them.
    expect(await parts.writeChunks(batch, 0, batch.length, 7)).toEqual({ consumed: batch.length, written: 66, error: null });
    const one = await dump(server, 'one');
    const many = await dump(server, 'many');
    expect(Object.keys(many)).toEqual(Object.keys(one));
    for (const key of Object.keys(one))
      if (!key.endsWith(':last_batch')) expect({ key, value: many[key] }).toEqual({ key, value: one[key] });
    // Every sell got its P&L in the record.
    expect(one[':{alpha}:trades']!.match(/"pnl_source":"ledger"/g)?.length).toBe(30);
  }, 30_000);

  it('the answers to every part lost after Redis applied them: the next write finds them applied and writes nothing twice', async () => {
    const { server, p, h } = await throughProxy(rows(20));
    const batch = rows(40, 20);
    let parts = 0;
    for (let at = 0; at < batch.length; parts++) at = chunkEnd(batch, at, batch.length, 10);
    expect(parts).toBeGreaterThan(3);
    await p.set('lose-answers', parts);
    const lost = await h.writeChunks(batch, 0, batch.length, 10);
    expect(lost.consumed).toBe(0);
    expect(lost.error?.message).toMatch(/batch of \d+ rows not written/);
    // Applied all the same, as the proxy only lost the answers.
    expect(await server.command('ZCARD', 'poseidon:{alpha}:trades')).toBe(':60\r\n');
    const again = await untilWritten(() => h.writeChunks(batch, 0, batch.length, 10));
    expect(again).toEqual({ consumed: batch.length, written: 44, error: null });
    expect(await server.command('ZCARD', 'poseidon:{alpha}:trades')).toBe(':60\r\n');
    expect(await server.command('GET', 'poseidon:{alpha}:seq')).toContain('\r\n66\r\n');
    const next = rows(5, 60);
    expect(await untilWritten(() => h.writeChunks(next, 0, next.length, 10))).toEqual({ consumed: next.length, written: 5, error: null });
    expect(await server.command('ZCARD', 'poseidon:{alpha}:trades')).toBe(':65\r\n');
  }, 30_000);

  it('the parts lost on the way, before Redis saw them: the next write sends them again, once', async () => {
    const { server, p, h } = await throughProxy(rows(20));
    const batch = rows(40, 20);
    await p.set('lose-commands');
    const lost = await h.writeChunks(batch, 0, batch.length, 10);
    expect(lost.consumed).toBe(0);
    expect(lost.error).not.toBeNull();
    expect(await server.command('ZCARD', 'poseidon:{alpha}:trades')).toBe(':20\r\n');
    const again = await untilWritten(() => h.writeChunks(batch, 0, batch.length, 10));
    expect(again).toEqual({ consumed: batch.length, written: 44, error: null });
    expect(await server.command('ZCARD', 'poseidon:{alpha}:trades')).toBe(':60\r\n');
  }, 30_000);

  it('other rows at the front after a lost answer (the applied ones are not those): they are written, not taken for the applied ones', async () => {
    const { server, p, h } = await throughProxy(rows(6, 200));
    const batch = rows(10);
    await p.set('lose-answers', 1);
    expect((await h.writeChunks(batch, 0, batch.length)).consumed).toBe(0);
    const other = rows(10, 100);
    const r = await untilWritten(() => h.writeChunks(other, 0, other.length));
    expect(r).toEqual({ consumed: other.length, written: 11, error: null });
    expect(await server.command('ZCARD', 'poseidon:{alpha}:trades')).toBe(':26\r\n');
  }, 30_000);

  it('a script whose predecessor did not apply is refused (-3) and changes nothing, even one that stores no row', async () => {
    const server = await redis();
    const h = await history(server.url);
    const batch = rows(4);
    expect((await h.writeChunks(batch, 0, batch.length)).error).toBeNull();
    const k = redisKeys('poseidon', 'alpha');
    const keys = [k.seq, k.lastBatch, k.hours, k.carry, ...TABLES.map(k.table), k.balance, k.hourIndex];
    // Stores no row (the sequence number stays), only a balance: without the check it would apply.
    const script = (previous: string) => [
      'EVAL',
      WRITE_SCRIPT,
      String(keys.length),
      ...keys,
      `t-${previous}`,
      previous,
      '4',
      '4',
      ...TABLES.map(() => '0'),
      '0',
      '0',
      '0',
      '0',
      JSON.stringify({ balance: 1, at: T0, openingBalance: 1 }),
    ];
    const before = await dump(server, 'poseidon');
    expect(await server.command(...script('a-script-never-applied'))).toBe(':-3\r\n');
    expect(await dump(server, 'poseidon')).toEqual(before);
    const last = (await server.command('GET', k.lastBatch)).split('\r\n')[1]!;
    expect(await server.command(...script(last))).toBe(':0\r\n');
    expect(await server.command('GET', k.balance)).toContain('"balance":1,');
  }, 30_000);

  it('text beyond ASCII in a record is stored as UTF-8, whole', async () => {
    const server = await redis();
    const h = await history(server.url);
    const batch = new RowBatch(undefined, 2);
    batch.push(
      buildTrade({ symbol: 'ÆTH/€', side: 'buy', quantity: 1, price: 1, executionId: 'é1', additionalData: { note: '✓ 😀' } }, T0),
    );
    batch.push(buildTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 1, executionId: 'plain' }, T0 + 1));
    expect(await h.writeChunks(batch, 0, batch.length)).toEqual({ consumed: 2, written: 2, error: null });
    const members = await server.command('ZRANGE', 'poseidon:{alpha}:trades', '0', '-1');
    const lines = members.split('\r\n').filter((l) => l.includes('{'));
    expect(lines.map((l) => JSON.parse(l.slice(16)).symbol)).toEqual(['ÆTH/€', 'BTC']);
    expect(JSON.parse(lines[0]!.slice(16)).additional_data).toEqual({ note: '✓ 😀' });
    // The bulk lengths Redis gives are the members' UTF-8 byte lengths.
    const lengths = [...members.matchAll(/\$(\d+)\r\n/g)].map((m) => Number(m[1]));
    expect(lengths).toEqual(lines.map((l) => Buffer.byteLength(l)));
  }, 30_000);

  it("parts whose answers were lost reach Redis late, between the next write's reading of the last token and its parts: counted, not written twice", async () => {
    const { server, p, h } = await throughProxy(rows(6, 200));
    const batch = rows(40, 20);
    const ends: number[] = [];
    for (let at = 0; at < batch.length; ends.push(at)) at = chunkEnd(batch, at, batch.length, 10);
    // Parts 1 and 2 go through and are answered; parts 3.. are held back, and the connection is lost.
    await p.set('delay-after', 2, ends.length);
    const first = await h.writeChunks(batch, 0, batch.length, 10);
    expect(first.consumed).toBe(ends[1]);
    expect(first.error).not.toBeNull();
    // The rest again (the writer thread's queue drops what is consumed): the held parts arrive right after its
    // read of the last token, and apply, chained on it.
    const again = await untilWritten(() => h.writeChunks(batch, first.consumed, batch.length, 10));
    expect(await p.late()).toEqual({ injected: ends.length - 2, applied: ends.length - 2 });
    expect(again).toEqual({ consumed: batch.length - first.consumed, written: 44 - first.written, error: null });
    expect(await server.command('ZCARD', 'poseidon:{alpha}:trades')).toBe(':46\r\n');
    expect(await server.command('GET', 'poseidon:{alpha}:seq')).toContain('\r\n50\r\n');
    const next = rows(5, 60);
    expect(await untilWritten(() => h.writeChunks(next, 0, next.length, 10))).toEqual({ consumed: next.length, written: 5, error: null });
    expect(await server.command('ZCARD', 'poseidon:{alpha}:trades')).toBe(':51\r\n');
  }, 30_000);

  it('a P&L event parts away from its trade: filled into the trade an earlier part stored, as one script does', async () => {
    const server = await redis();
    const events: MonitorEvent[] = [];
    // A sell at row 0 whose P&L comes 14 rows later, after trades of another symbol.
    events.push(buildTrade({ symbol: 'BTC', side: 'sell', quantity: 1, price: 100, executionId: 'late' }, T0));
    for (let i = 1; i < 15; i++)
      events.push(buildTrade({ symbol: 'ETH', side: 'buy', quantity: 1, price: 10, executionId: `e${i}` }, T0 + i));
    events.push(
      buildProfitLoss({
        timestamp: T0,
        symbol: 'BTC',
        executionId: 'late',
        realizedPnl: 7.5,
        positionQuantity: 0,
        averageCost: 92.5,
        cumulativeRealizedPnl: 7.5,
      }),
    );
    const batch = new RowBatch(undefined, events.length);
    for (const e of events) batch.push(e);
    const whole = await history(server.url, 'one');
    const parts = await history(server.url, 'many');
    expect(await whole.write(batch, 0, batch.length)).toBe(15);
    // Parts of 4 rows: the P&L's part is the fourth; its trade is in the first.
    expect(await parts.writeChunks(batch, 0, batch.length, 4)).toEqual({ consumed: batch.length, written: 15, error: null });
    const one = await dump(server, 'one');
    const many = await dump(server, 'many');
    // Every key alike but the last token (each writer's own).
    expect(many[':{alpha}:last_batch']).toMatch(/\S/);
    expect(many).toStrictEqual({ ...one, ':{alpha}:last_batch': many[':{alpha}:last_batch'] });
    expect(one[':{alpha}:trades']).toContain('"realized_pnl":7.5,"pnl_source":"ledger"');
  }, 30_000);

  it("all or none (writes from the caller's thread): a stored prefix found after lost answers, then a refused rest, is not written twice on the next try", async () => {
    const { server, p, h } = await throughProxy(rows(6, 200));
    // Rows 0..9 applied, their answer lost; then 10 more rows queued behind them.
    const batch = rows(20);
    const first = rowsBefore(batch, 10);
    await p.set('lose-answers', 1);
    await expect(h.write(batch, 0, first)).rejects.toThrow(/not written/);
    expect(await server.command('ZCARD', 'poseidon:{alpha}:trades')).toBe(':16\r\n');
    // The next try finds them stored, and Redis refuses the rest (full): nothing reported written.
    await server.command('CONFIG', 'SET', 'maxmemory', '1');
    const refused = async () => {
      for (const deadline = Date.now() + 10_000; ; ) {
        try {
          return await h.write(batch, 0, batch.length);
        } catch (error) {
          if (/OOM/.test(String(error))) throw error;
          if (Date.now() > deadline) throw new Error(`no OOM answer within 10 s; last: ${String(error)}`);
          // The client reconnects on a timer: wait for it instead of failing at once, again and again.
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    await expect(refused()).rejects.toThrow(/OOM/);
    await server.command('CONFIG', 'SET', 'maxmemory', '0');
    // All of them again: the stored ones are recognised, the rest written once.
    expect(await h.write(batch, 0, batch.length)).toBe(22);
    expect(await server.command('ZCARD', 'poseidon:{alpha}:trades')).toBe(':26\r\n');
  }, 30_000);
});

/** The number of rows of `batch` that hold its first `trades` trades (with their P&L and other events). */
function rowsBefore(batch: RowBatch, trades: number): number {
  let seen = 0;
  for (let i = 0; i < batch.length; i++) {
    if (batch.at(i).eventType === 'trade_execution' && seen++ === trades) return i;
  }
  return batch.length;
}
