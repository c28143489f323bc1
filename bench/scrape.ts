// Target 4: GET /metrics with 100 symbols (≈ 5,000 series) versus prom-client's registry.metrics() (≤ 1.5×).

import { runIfMain, type Suite } from './harness.js';

export function scrapeSuite(quick: boolean): Suite {
  const warm = quick ? 5 : 20;
  const common = ['--symbols=100', `--warm=${warm}`, `--scrapes=${quick ? 15 : 100}`];
  return {
    id: 'scrape',
    title: '4. Scrape, 100 symbols × 2 sides',
    rounds: quick ? 3 : 5,
    notes: [
      `Both: every symbol bought and sold, so each {symbol, side} series exists; ${warm} warm-up scrapes (the code of both sides compiled, as it is after a few minutes of Prometheus scraping), then the median of the timed ones.`,
      'ours: `GET /metrics` over loopback HTTP, body read to the end (collect of every instrument, our serializer, the runtime metrics, HTTP), so it includes more series than the baseline (store, monitor, runtime).',
      'prom-client: `registry.metrics()` in-process (no HTTP) over 3 counters and 2 histograms of 9 buckets per {symbol, side}: 27 series per pair, 5,400 in all.',
    ],
    trials: [
      { label: 'ours', script: 'scrape-ours.ts', args: common },
      { label: 'prom-client', script: 'scrape-promclient.ts', args: common },
    ],
    metrics: [
      { key: 'scrapeMs', unit: 'ms/scrape' },
      { key: 'series', unit: 'series', digits: 0 },
      { key: 'usPerSeries', unit: 'µs/series' },
    ],
    bounds: [
      {
        kind: 'ratio',
        name: 'ours GET /metrics ÷ prom-client registry.metrics()',
        key: 'scrapeMs',
        ours: 'ours',
        baseline: 'prom-client',
        max: 1.5,
      },
      { kind: 'ratio', name: 'same, per series', key: 'usPerSeries', ours: 'ours', baseline: 'prom-client', max: 1.5 },
    ],
    facts: ['sinks', 'bytes'],
  };
}

await runIfMain(import.meta.url, scrapeSuite);
