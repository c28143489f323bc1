// System metrics: collected on the monitor's clock into history, as the seed's "automatically collected" list says.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { EventType } from '../../src/events/types.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { parseNetDev, parseProcStat, SYSTEM_METRICS, SystemMetrics } from '../../src/system/SystemMetrics.js';
import { METRICS } from '../../src/telemetry/names.js';
import { clockOf, createTestMonitor, QUIET_OPTIONS, TEST_START } from '../helpers/monitor.js';
import { checkMetrics, findBinary } from '../helpers/promtool.js';
import { families, parseSamples, value } from '../telemetry/exposition.js';

const NET_DEV = (rx: number, tx: number) =>
  [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    `    lo: 999999     100    0    0    0     0          0         0   999999     100    0    0    0     0       0          0`,
    `  eth0: ${rx}    10    0    0    0     0          0         0 ${tx}     5    0    0    0     0       0          0`,
    `  wlan0: 100    1    0    0    0     0          0         0 50     1    0    0    0     0       0          0`,
    '',
  ].join('\n');

describe('parseNetDev', () => {
  it('sums received and sent bytes over every interface but loopback', () => {
    expect(parseNetDev(NET_DEV(1_000, 400))).toEqual({ received: 1_100, sent: 450 });
    expect(parseNetDev('')).toEqual({ received: 0, sent: 0 });
  });
});

describe('parseProcStat', () => {
  it('takes busy and total time of all CPUs from the first line, idle and iowait counting as idle', () => {
    const text = 'cpu  100 10 50 800 40 5 5 0 0 0\ncpu0 50 5 25 400 20 2 3 0 0 0\n';
    expect(parseProcStat(text)).toEqual({ busy: 170, total: 1_010 });
    expect(parseProcStat('intr 1 2 3\n')).toBeNull();
  });
});

describe('system metrics', () => {
  let monitor: MonitoringSystem;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'poseidon-system-'));
  });
  afterEach(async () => {
    await monitor.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("are in history after one POSEIDON_METRICS_INTERVAL, under the seed's query", async () => {
    const config = MonitoringConfig.fromEnv(
      { POSEIDON_METRICS_INTERVAL: '5', POSEIDON_SYSTEM_METRICS: 'true' },
      { ...QUIET_OPTIONS, clock: new ManualClock(TEST_START) },
    );
    monitor = new MonitoringSystem(config);
    await monitor.start();
    const clock = clockOf(monitor);
    expect(monitor.metricsCollector.getPerformanceMetrics({ metricName: 'system_cpu_percent' })).toEqual([]);
    clock.advance(4_999);
    expect(monitor.systemMetrics?.latest).toBeNull();
    clock.advance(1); // the timer's sample is taken and recorded at its instant, synchronously
    expect(monitor.systemMetrics?.latest?.timestamp).toBe(clock.now());
    clock.advance(5_000);
    await monitor.flush();
    const cpu = monitor.metricsCollector.getPerformanceMetrics({ metricName: 'system_cpu_percent' });
    expect(cpu.map((r) => r.timestamp).sort()).toEqual([clock.now() - 5_000, clock.now()]);
    for (const row of cpu) {
      expect(row.unit).toBe('percent');
      expect(row.value).toBeGreaterThanOrEqual(0);
      expect(row.value).toBeLessThanOrEqual(100);
    }
    for (const key of ['memoryUsedBytes', 'memoryPercent', 'rssBytes', 'heapUsedBytes', 'activeHandles', 'processCpuPercent'] as const) {
      const rows = monitor.metricsCollector.getPerformanceMetrics({ metricName: SYSTEM_METRICS[key].name });
      expect(rows, key).toHaveLength(2);
      expect(rows[0]!.value, key).toBeGreaterThan(key === 'processCpuPercent' ? -1 : 0);
    }
  });

  it('records network bytes per interval, database size and processes exactly from the host counters', async () => {
    monitor = createTestMonitor({ storage: 'sqlite', dbUrl: `sqlite:///${join(dir, 'h.db')}` });
    await monitor.start();
    const proc = join(dir, 'proc');
    mkdirSync(join(proc, 'net'), { recursive: true });
    for (const name of ['1', '2', '42', 'self', 'net']) mkdirSync(join(proc, name), { recursive: true });
    writeFileSync(join(proc, 'net', 'dev'), NET_DEV(1_000, 400));
    writeFileSync(join(proc, 'stat'), 'cpu  100 0 100 800 0 0 0 0 0 0\n');
    const clock = clockOf(monitor);
    const system = new SystemMetrics({
      clock,
      intervalMillis: 60_000,
      // Through the facade's own door for performance metrics, into the same history.
      publisher: {
        publish: (e) => e.eventType === EventType.PERFORMANCE_METRIC && monitor.logPerformanceMetric(e.metricName, e.value, e.unit),
      },
      procRoot: proc,
      databaseSizeBytes: () => 4_096,
    });
    system.start();
    await system.refresh(); // the baseline the first sample counts from
    writeFileSync(join(proc, 'net', 'dev'), NET_DEV(1_600, 700));
    writeFileSync(join(proc, 'stat'), 'cpu  400 0 200 1400 0 0 0 0 0 0\n'); // 400 busy of 1,000
    clock.advance(60_000);
    const sample = await system.collect();
    system.stop();
    expect(sample).toMatchObject({
      cpuPercent: 40,
      networkReceivedBytes: 600,
      networkSentBytes: 300,
      activeProcesses: 3,
      databaseSizeBytes: 4_096,
    });
    await monitor.flush();
    const rows = (name: string) => monitor.metricsCollector.getPerformanceMetrics({ metricName: name }).map((r) => r.value);
    expect(rows('network_received_bytes')).toContain(600);
    expect(rows('network_sent_bytes')).toContain(300);
    expect(rows('active_processes')).toContain(3);
    expect(rows('database_size_bytes')).toContain(4_096);
  });

  it('are gauges on /metrics and figures of the performance dashboard, read from the last sample: absent before it, its figures after', async () => {
    monitor = createTestMonitor({ enableSystemMetrics: true, enableMetricsServer: true, metricsHost: '127.0.0.1' });
    await monitor.start();
    const scrape = async () => (await fetch(monitor.metricsUrl!)).text();
    const system = (text: string) => parseSamples(text).filter((x) => x.name.startsWith('poseidon_system_'));
    expect(system(await scrape())).toEqual([]);
    expect(monitor.getPerformanceDashboard().resourceUtilization).toMatchObject({ systemSampledAt: null, systemCpuPercent: null });

    const sample = await monitor.systemMetrics!.collect();
    // The performance dashboard's resource utilization shows the same sample, under the history's names.
    expect(monitor.getPerformanceDashboard().resourceUtilization).toMatchObject({
      systemSampledAt: new Date(sample.timestamp).toISOString(),
      systemCpuPercent: sample.cpuPercent,
      systemMemoryUsedBytes: sample.memoryUsedBytes,
      systemMemoryPercent: sample.memoryPercent,
      networkReceivedBytes: sample.networkReceivedBytes,
      networkSentBytes: sample.networkSentBytes,
      activeProcesses: sample.activeProcesses,
      activeHandles: sample.activeHandles,
    });
    const text = await scrape();
    expect(value(text, METRICS.systemCpu.name)).toBeCloseTo(sample.cpuPercent! / 100, 12);
    expect(value(text, METRICS.systemMemoryUsed.name)).toBe(sample.memoryUsedBytes);
    expect(value(text, METRICS.systemMemoryUtilization.name)).toBeCloseTo(sample.memoryPercent! / 100, 12);
    expect(value(text, METRICS.systemProcesses.name)).toBe(sample.activeProcesses ?? undefined);
    expect(value(text, METRICS.systemNetworkReceive.name)).toBe(sample.networkTotals?.received);
    expect(value(text, METRICS.systemNetworkTransmit.name)).toBe(sample.networkTotals?.sent);
    const declared = families(text);
    for (const info of Object.values(METRICS).filter((i) => i.name.startsWith('poseidon_system_'))) {
      if (process.platform === 'linux') expect(declared, info.name).toContainEqual({ name: info.name, type: info.type });
    }
    // A scrape reads the sample and takes none: the figures stay those of the last sample.
    expect(system(await scrape())).toEqual(system(text));
    const promtool = findBinary('promtool');
    if (promtool !== null) expect(checkMetrics(promtool, text)).toMatchObject({ ok: true, output: '' });
  });

  it('are on by default on the system clock, off with an injected clock unless asked, and off without performance monitoring', async () => {
    monitor = createTestMonitor();
    expect(monitor.systemMetrics).toBeNull();
    expect(new MonitoringConfig({ ...QUIET_OPTIONS }).enableSystemMetrics).toBe(true);
    expect(MonitoringConfig.fromEnv({ POSEIDON_SYSTEM_METRICS: 'false' }, { ...QUIET_OPTIONS }).enableSystemMetrics).toBe(false);
    expect(createTestMonitor({ enableSystemMetrics: true }).systemMetrics).not.toBeNull();
    expect(createTestMonitor({ enableSystemMetrics: true, enablePerformanceMonitoring: false }).systemMetrics).toBeNull();
  });
});
