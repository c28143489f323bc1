// ResourceMeter: this thread's CPU share, memory and event-loop lag since the previous reading, beside the last system metrics sample.

import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { SystemSample } from '../system/SystemMetrics.js';
import type { ResourceUtilization } from './dashboardTypes.js';
import { round9 } from './statistics.js';

/** Each reading covers the time since the previous one, so a dashboard polled every few seconds shows current use. */
export class ResourceMeter {
  private readonly lag: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private lastCpu = process.cpuUsage();
  private lastCpuAt = process.hrtime.bigint();

  /** Starts sampling the event-loop delay. */
  start(): void {
    this.lag.enable();
  }

  stop(): void {
    this.lag.disable();
  }

  read(dbSizeBytes: number | null, system: SystemSample | null): ResourceUtilization {
    const cpu = process.cpuUsage(this.lastCpu);
    const at = process.hrtime.bigint();
    const elapsedMicros = Number(at - this.lastCpuAt) / 1000;
    this.lastCpu = process.cpuUsage();
    this.lastCpuAt = at;
    const mem = process.memoryUsage();
    const p99 = this.lag.count > 0 ? this.lag.percentile(99) / 1e6 : null;
    return {
      cpuRatio: elapsedMicros > 0 ? round9((cpu.user + cpu.system) / elapsedMicros) : 0,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      eventLoopLagP99Ms: p99 === null ? null : round9(p99),
      dbSizeBytes,
      systemSampledAt: system === null ? null : new Date(system.timestamp).toISOString(),
      systemCpuPercent: system?.cpuPercent ?? null,
      systemMemoryUsedBytes: system?.memoryUsedBytes ?? null,
      systemMemoryPercent: system?.memoryPercent ?? null,
      networkReceivedBytes: system?.networkReceivedBytes ?? null,
      networkSentBytes: system?.networkSentBytes ?? null,
      activeProcesses: system?.activeProcesses ?? null,
      activeHandles: system?.activeHandles ?? null,
    };
  }
}
