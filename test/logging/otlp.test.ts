// OpenTelemetry log records: with OTLP configured, events reach a real OTLP/HTTP receiver on loopback as JSON.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { LogSink } from '../../src/logging/LogSink.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { QUIET_OPTIONS } from '../helpers/monitor.js';
import { T0 } from './helpers.js';

interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: OtlpLogsRequest;
}

interface OtlpAnyValue {
  stringValue?: string;
  doubleValue?: number;
  intValue?: number | string;
  boolValue?: boolean;
  kvlistValue?: { values: { key: string; value: OtlpAnyValue }[] };
}
interface OtlpLogRecord {
  timeUnixNano: string;
  severityNumber: number;
  severityText: string;
  eventName?: string;
  body: OtlpAnyValue;
  attributes: { key: string; value: OtlpAnyValue }[];
}
interface OtlpLogsRequest {
  resourceLogs: { resource: { attributes: { key: string; value: OtlpAnyValue }[] }; scopeLogs: { logRecords: OtlpLogRecord[] }[] }[];
}

let server: Server;
let received: Received[];
let base: string;

beforeEach(async () => {
  received = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Plain JS value of an OTLP AnyValue. */
function plain(v: OtlpAnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.kvlistValue !== undefined) return Object.fromEntries(v.kvlistValue.values.map((kv) => [kv.key, plain(kv.value)]));
  return null;
}

function records(): { record: OtlpLogRecord; attributes: Record<string, unknown> }[] {
  // The metrics export may share the receiver (OTEL_EXPORTER_OTLP_ENDPOINT): only log payloads count.
  return received.flatMap((r) =>
    (r.body.resourceLogs ?? []).flatMap((rl) =>
      rl.scopeLogs.flatMap((sl) =>
        sl.logRecords.map((record) => ({ record, attributes: Object.fromEntries(record.attributes.map((a) => [a.key, plain(a.value)])) })),
      ),
    ),
  );
}

/** A started monitor that exports its log records to the receiver's /v1/logs, and nothing else. */
async function startLogsMonitor(): Promise<MonitoringSystem> {
  const config = MonitoringConfig.fromEnv(
    { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${base}/v1/logs` },
    { ...QUIET_OPTIONS, clock: new ManualClock(T0) },
  );
  const monitor = new MonitoringSystem(config);
  await monitor.start();
  return monitor;
}

describe('OTLP log export', () => {
  it('sends a trade record with its fields, level and time to OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, secrets redacted', async () => {
    const config = MonitoringConfig.fromEnv(
      { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${base}/custom/logs`, OTEL_EXPORTER_OTLP_HEADERS: 'api-key=k1' },
      { logFile: null, logConsole: false, storage: 'memory', enableMetricsServer: false, botName: 'otlp-bot', clock: new ManualClock(T0) },
    );
    const monitor = new MonitoringSystem(config);
    await monitor.start();
    monitor.logTrade({
      symbol: 'BTCUSDT',
      side: 'buy',
      quantity: 0.1,
      price: 45000,
      fee: 4.5,
      executionTimeMs: 150,
      slippageBps: 2.5,
      executionId: 'exec-otlp',
      additionalData: { apiKey: 'S3CRET', note: 'n' },
    });
    monitor.logError('down', { severity: 'critical' });
    await monitor.flush();
    expect(received.length).toBeGreaterThan(0);
    expect(received[0]!.path).toBe('/custom/logs');
    expect(received[0]!.headers['api-key']).toBe('k1');
    expect(JSON.stringify(received.map((r) => r.body))).not.toContain('S3CRET');
    expect(received.every((r) => r.headers['content-type'] === 'application/json')).toBe(true);

    const trade = records().find((r) => r.attributes.event_type === 'trade_execution');
    expect(trade).toBeDefined();
    expect(trade!.record.severityText).toBe('INFO');
    expect(trade!.record.severityNumber).toBe(9);
    expect(trade!.record.timeUnixNano).toBe(String(BigInt(T0) * 1_000_000n));
    expect(plain(trade!.record.body)).toBe('trade executed');
    expect(trade!.attributes).toEqual({
      event_type: 'trade_execution',
      symbol: 'BTCUSDT',
      side: 'buy',
      quantity: 0.1,
      price: 45000,
      notional_value: 4500,
      fee: 4.5,
      execution_time_ms: 150,
      slippage_bps: 2.5,
      execution_id: 'exec-otlp',
      additional_data: { apiKey: '[REDACTED]', note: 'n' },
    });
    const error = records().find((r) => r.attributes.event_type === 'error_event');
    expect(error!.record).toMatchObject({ severityText: 'CRITICAL', severityNumber: 21 });
    expect(plain(error!.record.body)).toBe('down');

    const resource = Object.fromEntries(received[0]!.body.resourceLogs[0]!.resource.attributes.map((a) => [a.key, plain(a.value)]));
    expect(resource).toMatchObject({ 'service.name': 'poseidon-monitor', 'service.instance.id': 'otlp-bot', bot: 'otlp-bot' });
    await monitor.stop();
  });

  it('omits the fields without a value instead of sending them as empty values', async () => {
    const monitor = await startLogsMonitor();
    // No order id, P&L, symbol, loop, context or tags: every one of them is null on the event.
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 10 });
    monitor.logError('plain failure', { severity: 'low' });
    monitor.logPerformanceMetric('latency', 12, 'ms');
    monitor.startLoopExecution('main');
    monitor.endLoopExecution('main', { success: true });
    await monitor.flush();
    await monitor.stop();
    const byType = new Map(records().map((r) => [r.attributes.event_type, r.record]));
    const keys = (type: string) => (byType.get(type)?.attributes ?? []).map((a) => a.key);
    // An AnyValue with no value in it: what a null turns into on the wire.
    const empty = records().flatMap((r) => r.record.attributes.filter((a) => Object.keys(a.value).length === 0).map((a) => a.key));
    expect(empty).toEqual([]);
    expect(keys('trade_execution')).toEqual(expect.arrayContaining(['symbol', 'price', 'execution_id']));
    for (const absent of ['order_id', 'pnl']) expect(keys('trade_execution')).not.toContain(absent);
    expect(keys('error_event')).toEqual(expect.arrayContaining(['error_id', 'error_type', 'severity']));
    for (const absent of ['symbol', 'loop_name', 'context']) expect(keys('error_event')).not.toContain(absent);
    expect(keys('performance_metric')).not.toContain('tags');
    expect(keys('loop_execution')).toEqual(expect.arrayContaining(['loop_name', 'success']));
    expect(keys('loop_execution')).not.toContain('error_message');
  });

  it('uses OTEL_EXPORTER_OTLP_ENDPOINT with /v1/logs', async () => {
    const config = MonitoringConfig.fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: base }, { ...QUIET_OPTIONS, clock: new ManualClock(T0) });
    const monitor = new MonitoringSystem(config);
    await monitor.start();
    await monitor.stop();
    expect(received.map((r) => r.path)).toContain('/v1/logs');
    expect(records().map((r) => r.attributes.kind)).toEqual(['monitor_started', 'monitor_stopped']);
  });

  it('builds no LoggerProvider when OTLP is not configured', () => {
    const sink = new LogSink({ config: new MonitoringConfig({ logFile: null, logConsole: false }) });
    expect(sink.otlpEnabled).toBe(false);
    expect(sink.hasOutputs).toBe(false);
    const withOtlp = new LogSink({
      config: MonitoringConfig.fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: base }, { logFile: null, logConsole: false }),
    });
    expect(withOtlp.otlpEnabled).toBe(true);
    expect(withOtlp.hasOutputs).toBe(true);
  });

  it('counts a failed export in the monitor diagnostics instead of throwing', async () => {
    server.removeAllListeners('request');
    server.on('request', (_req, res) => res.writeHead(400).end('{}'));
    const monitor = await startLogsMonitor();
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 1 });
    await monitor.flush();
    expect(monitor.diagnostics.sinkFailures.get('logs')).toBeGreaterThan(0);
    await monitor.stop();
  });
});
