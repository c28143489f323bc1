// Helpers every trial child process shares: the trade stream, arguments, temp dirs and the result line.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldTurn } from 'node:timers/promises';

/** Prefix of the one stdout line the harness reads; anything else a library prints is ignored. */
export const RESULT_PREFIX = '@@bench-result ';

/** Symbols of a realistic spot book; the first `n` are used. */
export const SYMBOLS: readonly string[] = (() => {
  const bases = ['BTC', 'ETH', 'SOL', 'BNB', 'XRP', 'ADA', 'DOGE', 'AVAX', 'DOT', 'LINK', 'MATIC', 'LTC', 'ATOM', 'UNI', 'ETC'];
  const quotes = ['USDT', 'USDC', 'BUSD', 'EUR', 'BTC', 'ETH', 'TRY'];
  const out: string[] = [];
  for (const q of quotes) for (const b of bases) if (b !== q) out.push(`${b}/${q}`);
  return out;
})();

/** One trade as a bot would pass it to `logTrade` (no executionId: both paths generate one). */
export interface BenchTrade {
  symbol: string;
  side: 'buy' | 'sell';
  quantity: number;
  price: number;
  fee: number;
  executionTimeMs: number;
  slippageBps: number;
}

/**
 * A fixed pool of trades cycled through, so building the input costs the same (nearly nothing) in
 * every trial. Buys and sells alternate per symbol, so our P&L ledger closes positions as it would
 * in a real bot.
 */
export function tradePool(symbolCount: number, size = 4096): BenchTrade[] {
  const pool: BenchTrade[] = [];
  for (let i = 0; i < size; i++) {
    const symbol = SYMBOLS[i % symbolCount]!;
    const side = Math.floor(i / symbolCount) % 2 === 0 ? 'buy' : 'sell';
    const price = 100 + (i % 97) * 1.37;
    pool.push({
      symbol,
      side,
      quantity: 0.01 + (i % 13) * 0.005,
      price,
      fee: price * 0.001,
      executionTimeMs: 5 + (i % 41),
      slippageBps: (i % 7) - 2,
    });
  }
  return pool;
}

/** `--key=value` arguments as numbers or strings. */
export function args(): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of process.argv.slice(2)) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

export function numArg(name: string, fallback: number): number {
  const v = args().get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${v}`);
  return n;
}

export function strArg(name: string, fallback: string): string {
  return args().get(name) ?? fallback;
}

/** A fresh directory under the OS temp dir, removed by the returned function. */
/** Median and max milliseconds of `calls` calls of `fn`, after 3 warm-up calls. */
export function timeCalls(fn: () => unknown, calls: number): { median: number; max: number } {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const s = performance.now();
    fn();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1]!, max: times[times.length - 1]! };
}

/** A monitor that keeps history and nothing else, quietly: what the storage trials build. */
export const HISTORY_ONLY = {
  botName: 'bench',
  enableMetricsServer: false,
  logFile: null,
  logConsole: false,
  logLevel: 'ERROR',
  enableHourlyGrowth: false,
  metricsRetentionDays: 3650,
} as const;

/** Calls `log(i)` `n` times while moving `clock` evenly from its time to `until`, a step every 100 calls. */
export function spreadOver(clock: { now(): number; advance(ms: number): void }, until: number, n: number, log: (i: number) => void): void {
  const from = clock.now();
  const step = (until - from) / n;
  let at = from;
  for (let i = 0; i < n; i++) {
    log(i);
    at += step;
    if (i % 100 === 99) clock.advance(Math.floor(at) - clock.now());
  }
}

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `poseidon-bench-${prefix}-`));
  // Retried: a process just killed may still be closing files in it.
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }) };
}

/** Prints the result line the harness parses. */
export function report(result: Record<string, unknown>): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/** Reports a failed trial (the harness marks the round failed) and exits non-zero. */
export function fail(message: string, extra: Record<string, unknown> = {}): never {
  report({ error: message, ...extra });
  process.exit(2);
}

/**
 * Runs `body(i)` for i in [0, n), yielding to the event loop every `chunk` calls as a bot between
 * exchange round-trips would, so timers (the store's early flush, pino's writes) get their turn.
 * The same driver runs ours and the baseline.
 */
export async function drive(n: number, chunk: number, body: (i: number) => void): Promise<void> {
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    for (let i = start; i < end; i++) body(i);
    await yieldTurn();
  }
}

/** Warms the JIT on `body` in a throw-away run, then collects garbage if exposed. */
export function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * CPU time (µs) of each thread of this process by thread id, where the system shows it (Linux's
 * /proc, in clock ticks of 10 ms); null elsewhere. Splits a trial's CPU between the bot's thread
 * (id = pid) and the others (the history writer, V8's helpers).
 */
export function threadCpuUs(): Map<number, number> | null {
  try {
    const out = new Map<number, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      // Fields after the command name's closing parenthesis: state is the first, utime the 12th, stime the 13th.
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), ((Number(f[11]) + Number(f[12])) * 1e6) / 100);
    }
    return out;
  } catch {
    return null;
  }
}

/** CPU µs per call of the bot's thread and of the other threads between two {@link threadCpuUs} readings. */
export function threadSplit(before: Map<number, number> | null, after: Map<number, number> | null, n: number): Record<string, number> {
  if (before === null || after === null) return {};
  let bot = 0;
  let others = 0;
  for (const [tid, us] of after) {
    const spent = us - (before.get(tid) ?? 0);
    if (tid === process.pid) bot += spent;
    else others += spent;
  }
  return { botThreadCpuUs: bot / n, otherThreadsCpuUs: others / n };
}
