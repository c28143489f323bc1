// Trial (baseline): the same trades appended by hand as JSON Lines (one JSON.stringify per trade, one write per 10,000 lines, an fsync a second), timed.

import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { drive, fail, numArg, report, settle, tempDir, tradePool } from './shared.js';

const n = numArg('n', 1_000_000);
const warm = numArg('warm', 50_000);
const symbols = numArg('symbols', 8);

const tmp = tempDir('file-raw');
try {
  const path = join(tmp.dir, 'trades.jsonl');
  const fd = openSync(path, 'a', 0o600);
  const pool = tradePool(symbols);
  const mask = pool.length - 1;
  let lines: string[] = [];
  let lastSync = performance.now();
  const write = () => {
    if (lines.length === 0) return;
    writeSync(fd, `${lines.join('\n')}\n`);
    lines = [];
    if (performance.now() - lastSync >= 1000) {
      fsyncSync(fd);
      lastSync = performance.now();
    }
  };
  let id = 0;
  const logTrade = (t: (typeof pool)[number]) => {
    const now = Date.now();
    lines.push(
      JSON.stringify({
        event_type: 'trade_execution',
        time: new Date(now).toISOString(),
        timestamp: now,
        symbol: t.symbol,
        side: t.side,
        quantity: t.quantity,
        price: t.price,
        notional_value: t.quantity * t.price,
        fee: t.fee,
        execution_time_ms: t.executionTimeMs,
        slippage_bps: t.slippageBps,
        execution_id: `e${++id}`,
        bot: 'bench',
      }),
    );
    if (lines.length >= 10_000) write();
  };
  await drive(warm, 1000, (i) => logTrade(pool[i & mask]!));
  write();
  settle();

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await drive(n, 1000, (i) => logTrade(pool[i & mask]!));
  write();
  fsyncSync(fd);
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  closeSync(fd);
  let stored = 0;
  const text = readFileSync(path);
  for (let at = text.indexOf(10); at !== -1; at = text.indexOf(10, at + 1)) stored++;
  const result = {
    tradesPerSec: n / (elapsedMs / 1000),
    usPerTrade: (elapsedMs * 1000) / n,
    cpuUsPerTrade: (cpu.user + cpu.system) / n,
    stored,
    expected: warm + n,
  };
  if (stored !== warm + n) fail(`stored ${stored} lines of ${warm + n}`, result);
  report(result);
} finally {
  tmp.remove();
}
