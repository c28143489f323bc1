import { mkdtempSync } from 'node:fs';
import { ManualClock } from '../../src/clock.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
const dir = mkdtempSync('/tmp/fdbg-');
const clock = new ManualClock(Date.now());
const m = new MonitoringSystem({ storage: 'file', storagePath: dir, botName: 'b', enableMetricsServer: false, logFile: null, logConsole: false, logLevel: 'ERROR', enableHourlyGrowth: false, storeMaxBufferRows: 1_000_000, clock, flushIntervalMs: 3600000 });
await m.start();
const t0 = performance.now();
for (let i = 0; i < 50000; i++) {
  m.logTrade({ symbol: 'BTC', side: i % 2 ? 'buy' : 'sell', quantity: 1, price: 100 + (i % 7) });
  if (i % 100 === 99) clock.advance(10);
}
const t1 = performance.now();
await m.flush();
const t2 = performance.now();
console.log('log', (t1 - t0).toFixed(0), 'flush', (t2 - t1).toFixed(0), JSON.stringify(m.metricsCollector.stats()));
await m.stop();
