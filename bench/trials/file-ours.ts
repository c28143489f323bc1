// Trial (ours): logTrade into file storage (JSON Lines, the writer thread), then flush, timed; every trade counted back.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { drive, fail, HISTORY_ONLY, numArg, report, settle, tempDir, tradePool } from './shared.js';

const n = numArg('n', 1_000_000);
const warm = numArg('warm', 50_000);
const symbols = numArg('symbols', 8);

const tmp = tempDir('file-ours');
try {
  const monitor = new MonitoringSystem({
    storage: 'file',
    storagePath: join(tmp.dir, 'history'),
    ...HISTORY_ONLY,
    storeMaxBufferRows: 1_000_000,
  });
  await monitor.start();
  const pool = tradePool(symbols);
  const mask = pool.length - 1;
  await drive(warm, 1000, (i) => monitor.logTrade(pool[i & mask]!));
  await monitor.flush();
  settle();

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await drive(n, 1000, (i) => monitor.logTrade(pool[i & mask]!));
  await monitor.flush();
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const stored = monitor.getDatabaseStats().trades;
  const failures = monitor.metricsCollector.stats();
  await monitor.stop();
  const result = {
    tradesPerSec: n / (elapsedMs / 1000),
    usPerTrade: (elapsedMs * 1000) / n,
    cpuUsPerTrade: (cpu.user + cpu.system) / n,
    stored,
    expected: warm + n,
    dropped: failures.droppedRows,
  };
  if (stored !== warm + n) fail(`stored ${stored} trades of ${warm + n}`, result);
  report(result);
} finally {
  tmp.remove();
}
