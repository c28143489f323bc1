// The /metrics text writers side by side on one collection of 100 symbols: the own PrometheusText and the exporter's stock PrometheusSerializer.
// Run: node --import tsx bench/writers.ts [--symbols=100] [--rounds=200]

import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { ManualClock } from '../src/clock.js';
import { MonitoringConfig } from '../src/config/MonitoringConfig.js';
import { buildTrade } from '../src/events/build.js';
import { Diagnostics } from '../src/internal/Diagnostics.js';
import { PrometheusText } from '../src/telemetry/PrometheusText.js';
import { Telemetry } from '../src/telemetry/Telemetry.js';

const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.split('=')[1]);
};
const symbols = arg('symbols', 100);
const rounds = arg('rounds', 200);

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const telemetry = new Telemetry(
  new MonitoringConfig({ clock, botName: 'bench-bot' }),
  {
    state: { accountBalance: () => 1000, activeLoops: () => [], unrealizedPnl: () => ({ total: 0, bySymbol: [] }), equity: () => 1000 },
    notifier: null,
    diagnostics: new Diagnostics(),
  },
  { runtimeMetrics: false },
);
for (let s = 0; s < symbols; s++)
  for (const side of ['buy', 'sell'] as const)
    telemetry.record(
      buildTrade({ symbol: `SYM${s}USDT`, side, quantity: 1, price: 100, executionTimeMs: 20, slippageBps: 3 }, clock.now()),
    );

const { resourceMetrics } = await telemetry.collect();
const own = new PrometheusText({ bot: 'bench-bot' });
const stock = new PrometheusSerializer('', false, /^bot$/, true, true);
const writers: Record<string, () => number> = {
  'own PrometheusText': () => own.serialize(resourceMetrics).length,
  'stock PrometheusSerializer': () => Buffer.byteLength(stock.serialize(resourceMetrics)),
};

/** Median milliseconds of one write, after warm-up, alternating the writers round by round. */
const times: Record<string, number[]> = Object.fromEntries(Object.keys(writers).map((k) => [k, []]));
for (let i = 0; i < 50; i++) for (const w of Object.values(writers)) w();
let bytes = 0;
for (let r = 0; r < rounds; r++) {
  for (const [name, w] of Object.entries(writers)) {
    const start = process.hrtime.bigint();
    bytes = w();
    times[name]!.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medians = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
console.log(`${symbols} symbols, ${bytes} bytes of text, median of ${rounds} writes after 50 warm-up ones`);
for (const [name, ms] of Object.entries(medians)) console.log(`${name}: ${ms.toFixed(3)} ms/write`);
console.log(`own ÷ stock: ${(medians['own PrometheusText']! / medians['stock PrometheusSerializer']!).toFixed(2)}x`);
await telemetry.stop();
