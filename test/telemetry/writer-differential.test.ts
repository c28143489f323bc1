// The own Prometheus text writer against the exporter's stock PrometheusSerializer on the same collected data: the same samples.

import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { buildLoopExecution, buildTrade, parseLoopEnd } from '../../src/events/build.js';
import { ERROR_SEVERITIES, ErrorType, EventType, type MonitorEvent } from '../../src/events/types.js';
import { Diagnostics } from '../../src/internal/Diagnostics.js';
import { PrometheusText } from '../../src/telemetry/PrometheusText.js';
import { Telemetry } from '../../src/telemetry/Telemetry.js';
import { parseSamples } from './exposition.js';

const clock = new ManualClock(Date.UTC(2026, 0, 1));

/** A telemetry sink fed trades on several symbols, loops (one failing), errors of every severity and a P&L. */
function fedTelemetry(): Telemetry {
  const t = new Telemetry(
    new MonitoringConfig({ clock, botName: 'diff-bot', strategy: 'grid' }),
    {
      state: {
        accountBalance: () => 1000.5,
        activeLoops: () => [{ loopName: 'main', executionId: 'run-1', startTime: clock.now(), tradesExecuted: 0 }],
        unrealizedPnl: () => ({
          total: -10.25,
          bySymbol: [{ symbol: 'BTCUSDT', unrealizedPnl: -10.25, quantity: 1, averageCost: 110.25, markPrice: 100 }],
        }),
        equity: () => 990.25,
      },
      notifier: null,
      diagnostics: new Diagnostics(),
    },
    { runtimeMetrics: false },
  );
  for (const [i, symbol] of ['BTCUSDT', 'ETH"USD', 'SOL\\USD'].entries()) {
    for (let n = 0; n < 5 + i; n++) {
      t.record(
        buildTrade(
          {
            symbol,
            side: n % 2 === 0 ? 'buy' : 'sell',
            quantity: 0.1 * (n + 1),
            price: 100 + n,
            fee: 0.01,
            executionTimeMs: 7 * n,
            slippageBps: n - 2,
          },
          clock.now(),
        ),
      );
    }
    t.record({ eventType: EventType.PROFIT_LOSS, symbol, realizedPnl: i - 1.5 } as unknown as MonitorEvent);
  }
  for (const success of [true, true, false])
    t.record(buildLoopExecution('main', 'id', clock.now(), parseLoopEnd({ success }), clock.now() + 1500, null));
  for (const severity of ERROR_SEVERITIES)
    t.record({ eventType: EventType.ERROR_EVENT, errorType: Object.values(ErrorType)[0], severity } as unknown as MonitorEvent);
  return t;
}

/** Sample lines with their labels in name order, sorted: the text both writers must agree on. */
const samples = (text: string): string[] =>
  parseSamples(text)
    .map((s) => {
      const labels = Object.entries(s.labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',');
      return `${s.name}{${labels}} ${s.value}`;
    })
    .sort();

describe('the own Prometheus text writer against the stock PrometheusSerializer', () => {
  it('writes the same samples from the same collection', async () => {
    const t = fedTelemetry();
    const { resourceMetrics, errors } = await t.collect();
    expect(errors).toEqual([]);
    const own = new PrometheusText({ bot: 'diff-bot', strategy: 'grid' }).serialize(resourceMetrics).toString('utf8');
    // The bot identity is a resource attribute: the stock writer puts it on every sample as a constant label.
    const stock = new PrometheusSerializer('', false, /^(bot|strategy)$/, true, true).serialize(resourceMetrics);
    expect(samples(own).length).toBeGreaterThan(100);
    expect(samples(own)).toEqual(samples(stock));
    await t.stop();
  });

  it('tells them apart when one writes a different value (the check can fail)', async () => {
    const t = fedTelemetry();
    const { resourceMetrics } = await t.collect();
    const own = new PrometheusText({ bot: 'diff-bot', strategy: 'grid' }).serialize(resourceMetrics).toString('utf8');
    const stock = new PrometheusSerializer('', false, /^(bot|strategy)$/, true, true).serialize(resourceMetrics);
    expect(
      samples(
        own.replace(
          'poseidon_account_balance{bot="diff-bot",strategy="grid"} 1000.5',
          'poseidon_account_balance{bot="diff-bot",strategy="grid"} 1000',
        ),
      ),
    ).not.toEqual(samples(stock));
    await t.stop();
  });
});
