// Trial (ours): GET /metrics with 100 symbols × 2 sides of trades recorded, timed over loopback.

import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startOurMonitor } from './ourMonitor.js';
import { fail, numArg, report, tempDir, tradePool } from './shared.js';

const symbols = numArg('symbols', 100);
const scrapes = numArg('scrapes', 30);
// Scrapes before the timed ones, so both sides are measured with their code compiled (Prometheus scrapes a monitor for as long as it runs).
const warm = numArg('warm', 5);

function get(url: string): Promise<{ ms: number; body: string; status: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ ms: performance.now() - t0, body, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

const tmp = tempDir('scrape-ours');
try {
  const ours = await startOurMonitor(tmp.dir);
  if (ours.metricsUrl === null) {
    await ours.monitor.stop();
    fail(`no metrics server on the monitor (sinks: ${ours.sinks.join('+')})`);
  }
  const pool = tradePool(symbols, symbols * 4);
  // Every symbol bought and sold, so every per-symbol series exists.
  for (let i = 0; i < symbols * 20; i++) ours.monitor.logTrade(pool[i % pool.length]!);
  for (let i = 0; i < warm; i++) await get(ours.metricsUrl);
  const times: number[] = [];
  let body = '';
  for (let i = 0; i < scrapes; i++) {
    const r = await get(ours.metricsUrl);
    times.push(r.ms);
    body = r.body;
    if (r.status !== 200) {
      await ours.monitor.stop();
      fail(`GET /metrics answered ${r.status}: ${r.body.slice(0, 200)}`);
    }
  }
  await ours.monitor.stop();
  times.sort((a, b) => a - b);
  const series = body.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')).length;
  report({
    scrapeMs: times[times.length >> 1]!,
    minMs: times[0]!,
    series,
    usPerSeries: (times[times.length >> 1]! * 1000) / series,
    bytes: Buffer.byteLength(body),
    sinks: ours.sinks.join('+'),
  });
} finally {
  tmp.remove();
}
