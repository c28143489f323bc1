// OTLP metrics export against a real OTLP/HTTP receiver on 127.0.0.1: decoded payloads, the clock-driven timer, failures counted.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { METRICS } from '../../src/telemetry/names.js';
import { value } from './exposition.js';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number };
}
interface OtlpNumberPoint {
  attributes?: OtlpAttribute[];
  asDouble?: number;
  asInt?: string | number;
}
interface OtlpMetric {
  name: string;
  sum?: { dataPoints: OtlpNumberPoint[]; isMonotonic?: boolean; aggregationTemporality?: number };
  histogram?: { dataPoints: (OtlpNumberPoint & { count: string | number; sum?: number })[] };
}
interface OtlpRequest {
  headers: IncomingHttpHeaders;
  path: string;
  body: {
    resourceMetrics: { resource: { attributes: OtlpAttribute[] }; scopeMetrics: { metrics: OtlpMetric[] }[] }[];
  };
}

/** A minimal OTLP/HTTP receiver: queues each decoded POST and answers with `status`. */
class Receiver {
  readonly requests: OtlpRequest[] = [];
  private waiters: ((r: OtlpRequest) => void)[] = [];
  status = 200;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request = { headers: req.headers, path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
        res.writeHead(receiver.status, { 'Content-Type': 'application/json' }).end('{}');
        receiver.requests.push(request);
        for (const w of receiver.waiters.splice(0)) w(request);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next request to arrive. */
  next(): Promise<OtlpRequest> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const attributes = (list: OtlpAttribute[] | undefined) => Object.fromEntries((list ?? []).map((a) => [a.key, a.value.stringValue]));

/** The value of the data point of `name` with these attributes, from one decoded export. */
function pointValue(request: OtlpRequest, name: string, attrs: Record<string, string>): number | undefined {
  for (const rm of request.body.resourceMetrics) {
    for (const sm of rm.scopeMetrics) {
      for (const metric of sm.metrics) {
        if (metric.name !== name) continue;
        for (const p of metric.sum?.dataPoints ?? []) {
          const a = attributes(p.attributes);
          if (Object.keys(attrs).length === Object.keys(a).length && Object.entries(attrs).every(([k, v]) => a[k] === v)) {
            return p.asDouble ?? Number(p.asInt);
          }
        }
      }
    }
  }
  return undefined;
}

function metric(request: OtlpRequest, name: string): OtlpMetric | undefined {
  return request.body.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)).find((m) => m.name === name);
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(extraEnv: Record<string, string> = {}) {
  const receiver = await Receiver.start();
  cleanups.push(() => receiver.close());
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 10, 0, 0));
  const config = MonitoringConfig.fromEnv(
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20collector-secret',
      OTEL_LOGS_EXPORTER: 'none',
      ...extraEnv,
    },
    {
      clock,
      storage: 'memory',
      logFile: null,
      logConsole: false,
      enableMetricsServer: false,
      metricsIntervalSeconds: 10,
      botName: 'otlp-bot',
    },
  );
  const monitor = new MonitoringSystem(config);
  cleanups.push(() => monitor.stop());
  await monitor.start();
  return { receiver, clock, monitor };
}

const BTC_BUY = { symbol: 'BTCUSDT', side: 'buy' };

describe('OTLP metrics export', () => {
  it('pushes the trade counter on the clock interval, on flush and on stop', async () => {
    const { receiver, clock, monitor } = await setup();
    for (let i = 0; i < 3; i++) monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 0.5, price: 100, executionTimeMs: 30 });

    // Just before the interval elapses on the monitor's clock the timer has not fired: flush()
    // sends one export, queued behind a timer export had one started, so exactly one arrives.
    clock.advance(9_999);
    await monitor.flush();
    expect(receiver.requests).toHaveLength(1);

    const first = receiver.next();
    clock.advance(1);
    const request = await first;
    expect(request.path).toBe('/v1/metrics');
    expect(request.headers['content-type']).toContain('application/json');
    expect(request.headers.authorization).toBe('Bearer collector-secret');
    const trades = metric(request, METRICS.trades.name);
    expect(trades?.sum?.isMonotonic).toBe(true);
    expect(trades?.sum?.aggregationTemporality).toBe(2); // cumulative
    expect(pointValue(request, METRICS.trades.name, BTC_BUY)).toBe(3);
    expect(pointValue(request, METRICS.tradeVolume.name, BTC_BUY)).toBe(150);
    const histogram = metric(request, METRICS.tradeExecution.name)?.histogram?.dataPoints[0];
    expect(Number(histogram?.count)).toBe(3);
    expect(histogram?.sum).toBeCloseTo(0.09, 12);
    expect(attributes(request.body.resourceMetrics[0]?.resource.attributes)).toMatchObject({
      'service.name': 'poseidon-monitor',
      bot: 'otlp-bot',
    });

    // The timer re-arms itself: the next interval sends again.
    const second = receiver.next();
    clock.advance(10_000);
    expect(pointValue(await second, METRICS.trades.name, BTC_BUY)).toBe(3);

    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100 });
    await monitor.flush();
    expect(pointValue(receiver.requests.at(-1)!, METRICS.trades.name, BTC_BUY)).toBe(4);

    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100 });
    const count = receiver.requests.length;
    await monitor.stop();
    expect(receiver.requests.length).toBe(count + 1);
    expect(pointValue(receiver.requests.at(-1)!, METRICS.trades.name, BTC_BUY)).toBe(5);
    expect(monitor.diagnostics.sinkFailures.get('otlp')).toBeUndefined();
  });

  it('counts a refused export as a failure without throwing into the bot', async () => {
    const { receiver, monitor } = await setup();
    receiver.status = 400;
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100 });
    await monitor.flush();
    expect(receiver.requests).toHaveLength(1);
    expect(monitor.diagnostics.sinkFailures.get('otlp')).toBe(1);
    expect(value(await monitor.telemetry.scrape(), METRICS.sinkFailures.name, { sink: 'otlp' })).toBe(1);
  });

  it('does not export when OTEL_METRICS_EXPORTER=none', async () => {
    const { receiver, monitor, clock } = await setup({ OTEL_METRICS_EXPORTER: 'none' });
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100 });
    clock.advance(60_000);
    await monitor.flush();
    await monitor.stop();
    expect(receiver.requests).toHaveLength(0);
    expect(monitor.config.otlpMetrics).toBeNull();
  });
  it('sends deltas of the per-symbol counters and histograms when the exporter prefers delta, and /metrics stays cumulative', async () => {
    const { receiver, monitor } = await setup({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' });
    for (let i = 0; i < 3; i++) monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 0.5, price: 100, executionTimeMs: 30 });
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 1, price: 110 });
    await monitor.flush();
    const first = receiver.requests.at(-1)!;
    const trades = metric(first, METRICS.trades.name);
    expect(trades?.sum?.aggregationTemporality).toBe(1); // delta
    expect(pointValue(first, METRICS.trades.name, BTC_BUY)).toBe(3);
    expect(pointValue(first, METRICS.tradeVolume.name, BTC_BUY)).toBe(150);
    expect(Number(metric(first, METRICS.tradeExecution.name)?.histogram?.dataPoints[0]?.count)).toBe(4); // per symbol: three buys and the sell
    // Realized P&L goes up and down: an up-down counter, cumulative under the delta preference.
    expect(metric(first, METRICS.realizedPnl.name)?.sum?.aggregationTemporality).toBe(2);

    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100, executionTimeMs: 10 });
    await monitor.flush();
    const second = receiver.requests.at(-1)!;
    expect(pointValue(second, METRICS.trades.name, BTC_BUY)).toBe(1);
    expect(pointValue(second, METRICS.tradeVolume.name, BTC_BUY)).toBe(100);
    // The sell side did not trade since: no point for it.
    expect(pointValue(second, METRICS.trades.name, { symbol: 'BTCUSDT', side: 'sell' })).toBeUndefined();
    const histogram = metric(second, METRICS.tradeExecution.name)?.histogram?.dataPoints[0];
    expect(Number(histogram?.count)).toBe(1);
    expect(histogram?.sum).toBeCloseTo(0.01, 12);

    await monitor.flush();
    expect(pointValue(receiver.requests.at(-1)!, METRICS.trades.name, BTC_BUY)).toBeUndefined();
    // The Prometheus side has its own producer: still running totals.
    expect(value(await monitor.telemetry.scrape(), METRICS.trades.name, BTC_BUY)).toBe(4);
    expect(monitor.diagnostics.sinkFailures.get('otlp')).toBeUndefined();
  });

  it('gives every metric a unit, each scope one ScopeMetrics, and sends no null field', async () => {
    const { receiver, monitor } = await setup();
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 0.5, price: 100, executionTimeMs: 30 });
    monitor.startLoopExecution('main');
    monitor.endLoopExecution('main', { success: true });
    const next = receiver.next();
    await monitor.flush();
    const request = await next;
    const scopes = request.body.resourceMetrics.flatMap((rm) =>
      rm.scopeMetrics.map((sm) => JSON.stringify((sm as { scope?: unknown }).scope)),
    );
    expect(scopes.length).toBeGreaterThan(0);
    expect(new Set(scopes).size).toBe(scopes.length);
    const metrics = request.body.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
    expect(metrics.map((m) => m.name)).toEqual(expect.arrayContaining([METRICS.trades.name, METRICS.loopDuration.name]));
    for (const m of metrics) expect((m as { unit?: string }).unit, m.name).toMatch(/\S/);
    expect(JSON.stringify(request.body, (_k, v: unknown) => (v === null ? '__null__' : v))).not.toContain('__null__');
  });
});
