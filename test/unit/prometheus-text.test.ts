import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { PrometheusText } from '../../src/telemetry/PrometheusText.js';

interface Hist {
  attributes: Attributes;
  boundaries: number[];
  counts: number[];
  sum: number;
}

function histogram(name: string, points: Hist[]) {
  return {
    descriptor: { name, description: `${name} help`, unit: '', valueType: 1 },
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: points.map((p) => ({
      attributes: p.attributes,
      value: { buckets: { boundaries: p.boundaries, counts: p.counts }, sum: p.sum, count: p.counts.reduce((a, b) => a + b, 0) },
    })),
  };
}

function sum(name: string, monotonic: boolean, points: [Attributes, number][]) {
  return {
    descriptor: { name, description: `${name} help`, unit: '', valueType: 1 },
    dataPointType: DataPointType.SUM,
    isMonotonic: monotonic,
    dataPoints: points.map(([attributes, value]) => ({ attributes, value })),
  };
}

function metrics(...families: unknown[]): ResourceMetrics {
  return { resource: {}, scopeMetrics: [{ scope: { name: 't' }, metrics: families }] } as unknown as ResourceMetrics;
}

const btcBuy = Object.freeze({ symbol: 'BTC', side: 'buy' });
const ethSell = Object.freeze({ symbol: 'ETH', side: 'sell' });

describe('PrometheusText', () => {
  it('writes histograms with cumulative buckets, counters and gauges, with the constant labels last', () => {
    const text = new PrometheusText({ bot: 'b1' }).serialize(
      metrics(
        histogram('t_seconds', [{ attributes: btcBuy, boundaries: [0.5, 1], counts: [1, 2, 3], sum: 7.25 }]),
        sum('t_total', true, [
          [btcBuy, 3],
          [ethSell, 0.1 + 0.2],
        ]),
        sum('t_open', false, [[{}, -2]]),
      ),
    );
    expect(text.toString('utf8')).toBe(
      [
        '# HELP t_seconds t_seconds help',
        '# TYPE t_seconds histogram',
        't_seconds_bucket{symbol="BTC",side="buy",bot="b1",le="0.5"} 1',
        't_seconds_bucket{symbol="BTC",side="buy",bot="b1",le="1"} 3',
        't_seconds_bucket{symbol="BTC",side="buy",bot="b1",le="+Inf"} 6',
        't_seconds_sum{symbol="BTC",side="buy",bot="b1"} 7.25',
        't_seconds_count{symbol="BTC",side="buy",bot="b1"} 6',
        '# HELP t_total t_total help',
        '# TYPE t_total counter',
        't_total{symbol="BTC",side="buy",bot="b1"} 3',
        't_total{symbol="ETH",side="sell",bot="b1"} 0.30000000000000004',
        '# HELP t_open t_open help',
        '# TYPE t_open gauge',
        't_open{bot="b1"} -2',
        '',
      ].join('\n'),
    );
  });

  it('writes the values of each scrape though the text around them is kept from the first', () => {
    const serializer = new PrometheusText({});
    const first = serializer.serialize(metrics(sum('c_total', true, [[btcBuy, 1]]))).toString();
    const second = serializer.serialize(metrics(sum('c_total', true, [[btcBuy, 2]]), sum('d_total', true, [[btcBuy, 5]]))).toString();
    expect(first).toContain('c_total{symbol="BTC",side="buy"} 1\n');
    expect(second).toContain('c_total{symbol="BTC",side="buy"} 2\n');
    // The same attribute object in another family gets that family's name.
    expect(second).toContain('d_total{symbol="BTC",side="buy"} 5\n');
    expect(second).not.toContain(' 1\n');
  });

  it('writes new boundaries when a histogram of the same series comes with other ones', () => {
    const serializer = new PrometheusText({});
    serializer.serialize(metrics(histogram('h', [{ attributes: btcBuy, boundaries: [1], counts: [1, 0], sum: 1 }])));
    const again = serializer.serialize(metrics(histogram('h', [{ attributes: btcBuy, boundaries: [2, 4], counts: [0, 1, 1], sum: 9 }])));
    expect(again.toString()).toContain('h_bucket{symbol="BTC",side="buy",le="2"} 0\nh_bucket{symbol="BTC",side="buy",le="4"} 1\n');
    expect(again.toString()).not.toContain('le="1"');
  });

  it('escapes label values and writes non-ASCII text as UTF-8, then the trailer', () => {
    const attributes = Object.freeze({ symbol: 'Ω"\\\nX' });
    const bytes = new PrometheusText({ bot: 'ü' }).serialize(
      metrics(sum('s_total', true, [[attributes, Number.POSITIVE_INFINITY]])),
      '\n# tail\n',
    );
    const expected = '# HELP s_total s_total help\n# TYPE s_total counter\ns_total{symbol="Ω\\"\\\\\\nX",bot="ü"} +Inf\n\n# tail\n';
    expect(bytes.equals(Buffer.from(expected, 'utf8'))).toBe(true);
  });

  it('grows past the size of the previous exposition', () => {
    const serializer = new PrometheusText({});
    const small = serializer.serialize(metrics(sum('a_total', true, [[{}, 1]])));
    const points: [Attributes, number][] = [];
    for (let i = 0; i < 5000; i++) points.push([Object.freeze({ symbol: `S${i}` }), i]);
    const big = serializer.serialize(metrics(sum('a_total', true, points))).toString();
    expect(small.length).toBeLessThan(100);
    expect(big.split('\n').filter((l) => l.startsWith('a_total{')).length).toBe(5000);
    expect(big).toContain('a_total{symbol="S4999"} 4999\n');
  });
});
