// The observed series: gauges and counters read from the monitor, the store and the notifier at collection time, never on the bot's thread.

import type { Attributes, BatchObservableResult, Meter } from '@opentelemetry/api';
import type { StoreStats } from '../internal/StoreStats.js';
import type { SystemSample } from '../system/SystemMetrics.js';
import type { LabelCap } from './LabelCap.js';
import { Label, METRICS, type MetricInfo } from './names.js';
import { PACKAGE_VERSION } from './packageVersion.js';
import type { TelemetrySources } from './Telemetry.js';
import type { SymbolSeries } from './TradeSeries.js';

/** A loop's attribute sets. */
export interface LoopSeries {
  readonly plain: Attributes;
  readonly success: Attributes;
  readonly failure: Attributes;
}

/** A running count of one event type. */
export interface EventCount {
  readonly attributes: Attributes;
  count: number;
}

/** What the observed series read. */
export interface ObservedState {
  readonly sources: TelemetrySources;
  readonly loops: LabelCap<LoopSeries>;
  readonly symbols: LabelCap<SymbolSeries>;
  /** When the last trade was made (epoch milliseconds); 0 before any. */
  lastTradeMillis(): number;
  readonly eventCounts: ReadonlyMap<string, EventCount>;
  /** Sinks whose failure counter shows 0 before their first failure. */
  readonly seededSinks: readonly string[];
  /** The store, or null before the monitor names one. */
  store(): { stats(): StoreStats } | null;
  /** The system metrics collector, or null when system metrics are off. */
  system(): { readonly latest: SystemSample | null } | null;
  /** Counts a failure of telemetry itself. */
  fail(error: unknown): void;
}

const gauge = (meter: Meter, info: MetricInfo) => meter.createObservableGauge(info.name, { description: info.help });
const counter = (meter: Meter, info: MetricInfo) => meter.createObservableCounter(info.name, { description: info.help });
/** A percent of two decimals as the ratio it stands for, without a division's float residue (0.6667, not 0.6667000000000001). */
const percentToRatio = (percent: number): number => Math.round(percent * 100) / 10_000;

/** Registers every observed series on `meter`; the store first, so a failure reading it is counted in the same collection. */
export function observeGauges(meter: Meter, state: ObservedState): void {
  observeStoreStats(meter, state);
  observeMonitor(meter, state);
  observeTotals(meter, state);
  observeMarks(meter, state);
  observeNotifications(meter, state);
  observeSystem(meter, state);
}

/** Gauges and counters read from the monitor (balance, active loops, failures, build info). */
function observeMonitor(meter: Meter, state: ObservedState): void {
  const balance = gauge(meter, METRICS.accountBalance);
  const active = gauge(meter, METRICS.loopsActive);
  const callbacks = counter(meter, METRICS.callbackFailures);
  const sinks = counter(meter, METRICS.sinkFailures);
  const build = gauge(meter, METRICS.buildInfo);
  const lastTrade = gauge(meter, METRICS.lastTrade);
  const buildAttributes = Object.freeze({ [Label.VERSION]: PACKAGE_VERSION });
  const { sources, loops } = state;
  const kindAttributes = new Map<string, Attributes>(
    Object.keys(sources.diagnostics.callbackFailures).map((kind) => [kind, Object.freeze({ [Label.KIND]: kind })]),
  );
  const sinkAttributes = new Map<string, Attributes>();
  const sinkLabel = (sink: string): Attributes => {
    let a = sinkAttributes.get(sink);
    if (a === undefined) {
      a = Object.freeze({ [Label.SINK]: sink });
      sinkAttributes.set(sink, a);
    }
    return a;
  };
  const counts = new Map<LoopSeries, number>();
  meter.addBatchObservableCallback(
    (result) => {
      result.observe(build, 1, buildAttributes);
      const value = sources.state.accountBalance();
      if (value !== null) result.observe(balance, value);
      const traded = state.lastTradeMillis();
      if (traded !== 0) result.observe(lastTrade, traded / 1000);
      // Every loop seen so far reports, so a loop that finished shows 0 rather than vanishing.
      counts.clear();
      for (const loop of loops.values()) counts.set(loops.get(loop), 0);
      for (const run of sources.state.activeLoops()) {
        const l = loops.get(run.loopName);
        counts.set(l, (counts.get(l) ?? 0) + 1);
      }
      for (const [l, n] of counts) result.observe(active, n, l.plain);
      const d = sources.diagnostics;
      for (const [kind, n] of Object.entries(d.callbackFailures)) result.observe(callbacks, n, kindAttributes.get(kind));
      for (const sink of state.seededSinks) if (!d.sinkFailures.has(sink)) result.observe(sinks, 0, sinkLabel(sink));
      for (const [sink, n] of d.sinkFailures) result.observe(sinks, n, sinkLabel(sink));
    },
    [balance, active, callbacks, sinks, build, lastTrade],
  );
}

/** Counts of events by type, every type from 0 so the first of each is a step Prometheus sees. */
function observeTotals(meter: Meter, state: ObservedState): void {
  const events = counter(meter, METRICS.events);
  events.addCallback((result) => {
    for (const e of state.eventCounts.values()) result.observe(e.count, e.attributes);
  });
}

/**
 * Unrealized P&L and equity, computed by the monitor at collection time. A symbol reports once
 * traded or holding a position (one restored from history at start included), and keeps
 * reporting, so a closed position shows 0 rather than its last value going stale.
 */
function observeMarks(meter: Meter, state: ObservedState): void {
  const unrealized = gauge(meter, METRICS.unrealizedPnl);
  const equity = gauge(meter, METRICS.equity);
  const { sources, symbols } = state;
  const bySeries = new Map<SymbolSeries, number>();
  const reported = new Set<SymbolSeries>();
  meter.addBatchObservableCallback(
    (result) => {
      const value = sources.state.equity();
      if (value !== null) result.observe(equity, value);
      const positions = sources.state.unrealizedPnl().bySymbol;
      bySeries.clear();
      for (const p of positions) {
        // peek first: a symbol already bound (or summed under __other__) is not counted as an overflow again.
        const s = symbols.peek(p.symbol) ?? symbols.get(p.symbol);
        bySeries.set(s, (bySeries.get(s) ?? 0) + p.unrealizedPnl);
        reported.add(s);
      }
      for (const s of symbols.all()) if (s.buyTrades > 0 || s.sellTrades > 0) reported.add(s);
      for (const s of reported) result.observe(unrealized, bySeries.get(s) ?? 0, s.plain);
    },
    [unrealized, equity],
  );
}

/** The webhook notifier's counts; absent when no webhook is configured. */
function observeNotifications(meter: Meter, state: ObservedState): void {
  const sent = counter(meter, METRICS.notificationsSent);
  const failed = counter(meter, METRICS.notificationsFailed);
  const dropped = counter(meter, METRICS.notificationsDropped);
  meter.addBatchObservableCallback(
    (result) => {
      const n = state.sources.notifier?.stats ?? null;
      if (n === null) return;
      result.observe(sent, n.sent);
      result.observe(failed, n.failed);
      result.observe(dropped, n.dropped);
    },
    [sent, failed, dropped],
  );
}

/** The store's figures; absent until the monitor names a store. */
function observeStoreStats(meter: Meter, state: ObservedState): void {
  const size = gauge(meter, METRICS.dbSize);
  const buffered = gauge(meter, METRICS.storeBufferedRows);
  const flushSeconds = gauge(meter, METRICS.storeFlushDuration);
  const failures = counter(meter, METRICS.storeWriteFailures);
  const dropped = counter(meter, METRICS.storeDroppedRows);
  const written = counter(meter, METRICS.storeRowsWritten);
  meter.addBatchObservableCallback(
    (result: BatchObservableResult) => {
      const store = state.store();
      if (store === null) return;
      let s: StoreStats;
      try {
        s = store.stats();
      } catch (error) {
        state.fail(error);
        return;
      }
      result.observe(size, s.dbSizeBytes);
      result.observe(buffered, s.bufferedRows);
      result.observe(flushSeconds, s.lastFlushDurationMs / 1000);
      result.observe(failures, s.writeFailures);
      result.observe(dropped, s.droppedRows);
      result.observe(written, s.rowsWritten);
    },
    [size, buffered, flushSeconds, failures, dropped, written],
  );
}

/**
 * The host figures of the last system sample; absent before the first and when system metrics are
 * off. Reading them is a lookup: the sampling runs on the monitor's clock, not at scrape time.
 */
function observeSystem(meter: Meter, state: ObservedState): void {
  const cpu = gauge(meter, METRICS.systemCpu);
  const memoryUsed = gauge(meter, METRICS.systemMemoryUsed);
  const memoryRatio = gauge(meter, METRICS.systemMemoryUtilization);
  const processes = gauge(meter, METRICS.systemProcesses);
  const received = counter(meter, METRICS.systemNetworkReceive);
  const sent = counter(meter, METRICS.systemNetworkTransmit);
  meter.addBatchObservableCallback(
    (result) => {
      const s = state.system()?.latest ?? null;
      if (s === null) return;
      if (s.cpuPercent !== null) result.observe(cpu, percentToRatio(s.cpuPercent));
      if (s.memoryUsedBytes !== null) result.observe(memoryUsed, s.memoryUsedBytes);
      if (s.memoryPercent !== null) result.observe(memoryRatio, percentToRatio(s.memoryPercent));
      if (s.activeProcesses !== null) result.observe(processes, s.activeProcesses);
      if (s.networkTotals !== null) {
        result.observe(received, s.networkTotals.received);
        result.observe(sent, s.networkTotals.sent);
      }
    },
    [cpu, memoryUsed, memoryRatio, processes, received, sent],
  );
}
