// Target 4: GET /metrics with 100 symbols (≈ 5,000 series) versus prom-client's registry.metrics() (≤ 1.5×).

import { runIfMain, type Suite } from './harness.js';

export function scrapeSuite(quick: boolean): Suite {
  const common = ['--symbols=100', `--scrapes=${quick ? 15 : 40}`];
  return {
    id: 'scrape',
    title: '4. Scrape, 100 symbols × 2 sides',
    rounds: quick ? 3 : 5,
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
