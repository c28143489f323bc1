// Target 4: GET /metrics with 100 symbols (≈ 5,000 series) versus prom-client's registry.metrics() over the same series (≤ 1.2×).

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
      'ours: `GET /metrics` over loopback HTTP, body read to the end (collect of every instrument, our serializer, the runtime metrics, HTTP).',
      'prom-client: `registry.metrics()` in-process (no HTTP) over the same series set: our families, label sets and buckets (trades and volume per {symbol, side}, fees and realized and unrealized P&L per symbol, the execution-time histogram per symbol, the slippage histogram per {symbol, side}), every error type and severity and every event type from 0, the store and monitor figures, prom-client default metrics, the bot label on every series.',
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
        max: 1.2,
      },
      { kind: 'ratio', name: 'same, per series', key: 'usPerSeries', ours: 'ours', baseline: 'prom-client', max: 1.2 },
    ],
    facts: ['sinks', 'bytes'],
  };
}

await runIfMain(import.meta.url, scrapeSuite);
