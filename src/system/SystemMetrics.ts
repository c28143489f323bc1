// SystemMetrics: samples CPU, memory, network I/O, database size and processes on the monitor's clock.

import { readdir, readFile } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import type { Clock, TimerHandle } from '../clock.js';
import { buildPerformance } from '../events/build.js';
import type { EventPublisher } from '../events/EventSink.js';

/** The names under which each sample is recorded as performance metric rows, with their units. */
export const SYSTEM_METRICS = Object.freeze({
  cpuPercent: { name: 'system_cpu_percent', unit: 'percent' },
  processCpuPercent: { name: 'process_cpu_percent', unit: 'percent' },
  memoryUsedBytes: { name: 'system_memory_used_bytes', unit: 'bytes' },
  memoryPercent: { name: 'system_memory_percent', unit: 'percent' },
  rssBytes: { name: 'process_rss_bytes', unit: 'bytes' },
  heapUsedBytes: { name: 'process_heap_used_bytes', unit: 'bytes' },
  networkReceivedBytes: { name: 'network_received_bytes', unit: 'bytes' },
  networkSentBytes: { name: 'network_sent_bytes', unit: 'bytes' },
  databaseSizeBytes: { name: 'database_size_bytes', unit: 'bytes' },
  activeProcesses: { name: 'active_processes', unit: 'count' },
  activeHandles: { name: 'active_handles', unit: 'count' },
} as const);

export type SystemMetricKey = keyof typeof SYSTEM_METRICS;

/** One reading. A figure the platform cannot give (network and processes outside Linux) is null. */
export type SystemSample = {
  readonly timestamp: number;
  /** The host's network byte counters as the kernel kept them at this reading (since boot), which /metrics exports as counters. */
  readonly networkTotals: NetCounters | null;
} & { readonly [K in SystemMetricKey]: number | null };

/** Options of {@link SystemMetrics}. */
export interface SystemMetricsOptions {
  readonly clock: Clock;
  readonly intervalMillis: number;
  /** Where the performance metric events go: the pipeline, so they reach history, /metrics and logs. */
  readonly publisher: EventPublisher;
  /** The history's size on disk, or null when it has none. */
  readonly databaseSizeBytes?: () => number | null;
  /** Where host counters are read; tests point it at a folder of their own. @default '/proc' */
  readonly procRoot?: string;
}

interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

/** Busy and total jiffies of every CPU, from the first line of the kernel's /proc/stat. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.slice(0, text.indexOf('\n'));
  if (!line.startsWith('cpu ')) return null;
  const f = line.slice(4).trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are the idle time.
  const total = f.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
  return { busy: total - (f[3] || 0) - (f[4] || 0), total };
}

function osCpuTimes(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    busy += all - times.idle;
    total += all;
  }
  return { busy, total };
}

/** Bytes received and sent over the host's interfaces but loopback. */
export interface NetCounters {
  readonly received: number;
  readonly sent: number;
}

/** Bytes received and sent over every interface but loopback, from the kernel's counters. */
export function parseNetDev(text: string): NetCounters {
  let received = 0;
  let sent = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() === 'lo') continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    received += Number(fields[0]) || 0;
    sent += Number(fields[8]) || 0;
  }
  return { received, sent };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Every `intervalMillis` records one row per figure of {@link SYSTEM_METRICS}. Network and process
 * counters are read from the kernel's files asynchronously, between samples: the libraries that
 * read them (systeminformation, host-metrics) spawn a shell per reading, which the bot's event loop
 * would pay for.
 */
export class SystemMetrics {
  private timer: TimerHandle | null = null;
  private lastCpu: CpuTimes | null = null;
  private hostCpu: CpuTimes | null = null;
  private lastProcessCpu = process.cpuUsage();
  private lastAt = process.hrtime.bigint();
  /** The newest host counters read in the background, and those the previous sample used. */
  private hostNet: NetCounters | null = null;
  private sampledNet: NetCounters | null = null;
  private processes: number | null = null;
  private refreshing: Promise<void> | null = null;
  private latestSample: SystemSample | null = null;
  private stopped = false;
  private readonly procRoot: string;

  constructor(private readonly options: SystemMetricsOptions) {
    this.procRoot = options.procRoot ?? '/proc';
  }

  /** The most recent reading, or null before the first. */
  get latest(): SystemSample | null {
    return this.latestSample;
  }

  start(): void {
    if (this.timer !== null) return;
    this.stopped = false;
    void this.refresh();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    this.stopped = true;
  }

  /** Reads the host counters afresh, then takes and records a reading (unless stopped). */
  async collect(): Promise<SystemSample> {
    await this.refresh();
    return this.sample();
  }

  /**
   * Reads the host counters (network, processes) off the bot's thread; a sample uses the newest
   * read, so the timer's sample itself is synchronous and lands at its exact instant.
   */
  refresh(): Promise<void> {
    this.refreshing ??= Promise.all([this.readNetwork(), this.countProcesses(), this.readCpu()])
      .then(([net, processes, cpu]) => {
        this.hostCpu = cpu;
        this.lastCpu ??= cpu;
        if (net !== null) {
          this.hostNet = net;
          this.sampledNet ??= net;
        }
        this.processes = processes;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  // The counters are read a moment before each sample, so the sample describes the interval that
  // ends at its own timestamp and still takes no more than a lookup on the bot's thread.
  private schedule(): void {
    const { clock, intervalMillis } = this.options;
    const lead = Math.min(1_000, intervalMillis / 10);
    this.timer = clock.setTimeout(() => {
      void this.refresh();
      this.timer = clock.setTimeout(() => {
        this.timer = null;
        this.sample();
        this.schedule();
      }, lead);
    }, intervalMillis - lead);
  }

  private sample(): SystemSample {
    const timestamp = this.options.clock.now();
    const cpu = this.hostCpu ?? osCpuTimes();
    const lastCpu = this.lastCpu ?? cpu;
    const processCpu = process.cpuUsage(this.lastProcessCpu);
    const at = process.hrtime.bigint();
    const elapsedMicros = Number(at - this.lastAt) / 1000;
    const cpuTotal = cpu.total - lastCpu.total;
    const total = totalmem();
    const used = total - freemem();
    const memory = process.memoryUsage();
    const net = this.hostNet;
    const previousNet = this.sampledNet;
    const sample: SystemSample = {
      timestamp,
      networkTotals: net,
      cpuPercent: cpuTotal > 0 ? round2(((cpu.busy - lastCpu.busy) / cpuTotal) * 100) : 0,
      processCpuPercent: elapsedMicros > 0 ? round2(((processCpu.user + processCpu.system) / elapsedMicros) * 100) : 0,
      memoryUsedBytes: used,
      memoryPercent: total > 0 ? round2((used / total) * 100) : null,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      // A counter that went backwards (an interface reset) counts from its new value.
      networkReceivedBytes: net === null || previousNet === null ? null : Math.max(0, net.received - previousNet.received),
      networkSentBytes: net === null || previousNet === null ? null : Math.max(0, net.sent - previousNet.sent),
      databaseSizeBytes: this.options.databaseSizeBytes?.() ?? null,
      activeProcesses: this.processes,
      activeHandles: process.getActiveResourcesInfo().length,
    };
    this.lastCpu = cpu;
    this.lastProcessCpu = process.cpuUsage();
    this.lastAt = at;
    this.sampledNet = net;
    this.latestSample = sample;
    // A reading taken after stop() is kept for `latest` but not recorded into closed sinks.
    if (this.stopped) return sample;
    for (const key of Object.keys(SYSTEM_METRICS) as SystemMetricKey[]) {
      const value = sample[key];
      if (value !== null)
        this.options.publisher.publish(buildPerformance(SYSTEM_METRICS[key].name, value, SYSTEM_METRICS[key].unit, undefined, timestamp));
    }
    return sample;
  }

  private async readCpu(): Promise<CpuTimes | null> {
    try {
      return parseProcStat(await readFile(`${this.procRoot}/stat`, 'utf8'));
    } catch {
      return null;
    }
  }

  private async readNetwork(): Promise<NetCounters | null> {
    try {
      return parseNetDev(await readFile(`${this.procRoot}/net/dev`, 'utf8'));
    } catch {
      return null;
    }
  }

  private async countProcesses(): Promise<number | null> {
    try {
      const names = await readdir(this.procRoot);
      let count = 0;
      for (const name of names) if (name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57) count++;
      return count;
    } catch {
      return null;
    }
  }
}
