// Trial (baseline): the same trades through the naive raw composition, then flush, timed.

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRawPipeline, parseParts } from './rawPipeline.js';
import { drive, fail, numArg, report, settle, strArg, tempDir, tradePool } from './shared.js';

const n = numArg('n', 200_000);
const warm = numArg('warm', 20_000);
const symbols = numArg('symbols', 8);
const chunk = numArg('chunk', 1000);
const parts = parseParts(strArg('parts', 'all'));

const tmp = tempDir('logtrade-raw');
try {
  const raw = await createRawPipeline(tmp.dir, parts);
  const pool = tradePool(symbols);
  const mask = pool.length - 1;
  await drive(warm, chunk, (i) => raw.logTrade(pool[i & mask]!));
  raw.flush();
  settle();

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await drive(n, chunk, (i) => raw.logTrade(pool[i & mask]!));
  raw.flush();
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);

  const rows = raw.rowCount();
  await raw.close();
  const expected = parts.sqlite ? warm + n : 0;
  const result = {
    usPerTrade: (elapsedMs * 1000) / n,
    tradesPerSec: n / (elapsedMs / 1000),
    cpuUsPerTrade: (cpu.user + cpu.system) / n,
    n,
    dbRows: rows,
    expectedRows: expected,
    logBytes: statSync(join(tmp.dir, 'raw.log')).size,
    parts: Object.entries(parts)
      .filter(([, on]) => on)
      .map(([k]) => k)
      .join('+'),
  };
  if (rows !== expected) fail(`DB has ${rows} trade rows, expected ${expected}`, result);
  report(result);
} finally {
  tmp.remove();
}
