// Telemetry: the event sink that turns every event into OpenTelemetry instruments, served as Prometheus text and pushed over OTLP.

import type { Attributes, BatchObservableResult, Counter, Gauge, Histogram, Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, type IMetricReader, MeterProvider, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { MonitoringConfig } from '../config/MonitoringConfig.js';
import type { EventSink } from '../events/EventSink.js';
import { ERROR_SEVERITIES, ErrorType, EventType, type MonitorEvent, TRADE_SIDES } from '../events/types.js';
import type { Diagnostics } from '../internal/Diagnostics.js';
import type { StoreStats } from '../internal/StoreStats.js';
import type { MonitorStateView } from '../monitor/MonitorState.js';
import type { NotifierStats } from '../notify/WebhookNotifier.js';
import { LabelCap } from './LabelCap.js';
import {
  DROPPED_RUNTIME_METRICS,
  EXECUTION_SECONDS_BUCKETS,
  Label,
  LOOP_SECONDS_BUCKETS,
  LoopStatus,
  METRICS,
  type MetricInfo,
  RUNTIME_PREFIX,
  SLIPPAGE_BPS_BUCKETS,
} from './names.js';
import { OtlpMetricReader, temporalitySelector } from './OtlpMetricReader.js';
import { PrometheusText } from './PrometheusText.js';
import { PACKAGE_VERSION } from './packageVersion.js';
import { BucketHistogram, type HistogramFamily, SeriesProducer, type SumFamily } from './SeriesProducer.js';

/** What telemetry reads from the monitor at collection time. */
export interface TelemetrySources {
  /** Balance, loop runs in progress, open positions marked to market, equity. */
  readonly state: Pick<MonitorStateView, 'accountBalance' | 'activeLoops' | 'unrealizedPnl' | 'equity'>;
  /** The webhook notifier, or null when no webhook is configured (no notification series). */
  readonly notifier: { readonly stats: NotifierStats } | null;
  /** The monitor's failure counters; telemetry reports its own failures here too. */
  readonly diagnostics: Diagnostics;
}

/** Options of {@link Telemetry} beyond the monitor's configuration. */
export interface TelemetryOptions {
  /** Distinct loop names used as `loop` label values before `__other__`. @default 100 */
  maxLoops?: number;
  /** Distinct performance (name, unit) pairs used as label values before `__other__`. @default 200 */
  maxMetricNames?: number;
  /** Export process and Node.js runtime metrics (prom-client default metrics). @default true */
  runtimeMetrics?: boolean;
}

const DEFAULT_MAX_LOOPS = 100;
const DEFAULT_MAX_METRIC_NAMES = 200;
const METER_NAME = 'poseidon-monitor';
const NO_ATTRIBUTES: Attributes = Object.freeze({});
/** Name under which failed OTLP exports are counted (`poseidon_sink_failures_total{sink="otlp"}`). */
const OTLP_SINK = 'otlp';
/** Failure counters shown at 0 from the start, so the first failure is an increase Prometheus can see. */
const BUILT_IN_SINKS = ['store', 'telemetry', 'http'];

/**
 * One symbol's attribute sets, running totals and trade histograms: plain numbers and buckets
 * bumped on the hot path and reported at collection through a {@link SeriesProducer}. A
 * synchronous OpenTelemetry `add` or `record` hashes its attributes on every call, which would cost
 * the bot several times more per trade; an observable instrument hashes them on every observation,
 * which was about 4.8 of the 6.4 ms a collection of 100 symbols took.
 */
interface SymbolSeries {
  /** `{symbol}` */
  readonly plain: Attributes;
  /** `{symbol, side}` by side */
  readonly buy: Attributes;
  readonly sell: Attributes;
  buyTrades: number;
  sellTrades: number;
  buyVolume: number;
  sellVolume: number;
  fees: number;
  realizedPnl: number;
  /** When the first P&L event of the symbol was recorded (epoch milliseconds, wall clock); 0 before any. */
  pnlStartMillis: number;
  /** `poseidon_trade_execution_seconds{symbol}` */
  readonly execution: BucketHistogram;
  /** `poseidon_trade_slippage_bps{symbol, side}` by side */
  readonly buySlippage: BucketHistogram;
  readonly sellSlippage: BucketHistogram;
}

interface EventCount {
  readonly attributes: Attributes;
  count: number;
}

interface LoopSeries {
  readonly plain: Attributes;
  readonly success: Attributes;
  readonly failure: Attributes;
}

const histogramView = (info: MetricInfo, boundaries: readonly number[], limit: number): ViewOptions => ({
  instrumentName: info.name,
  aggregationCardinalityLimit: limit,
  aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [...boundaries], recordMinMax: false } },
});

/**
 * Every event becomes OpenTelemetry measurements on a `MeterProvider` this monitor owns (never
 * the global one). A PrometheusExporter (its own server off) is the pull reader behind
 * {@link Telemetry.scrape}; an {@link OtlpMetricReader} pushes to a collector when the standard
 * `OTEL_EXPORTER_OTLP_*` variables name one. Process and runtime metrics come from prom-client's
 * default metrics in a registry of their own, appended to the same exposition.
 *
 * `record` is the bot's hot path: attribute objects are built once per symbol, side, loop, error
 * type and event type, and reused, so a known label set allocates nothing here. The per-symbol
 * counters and trade histograms are running totals and buckets handed to both readers by a
 * {@link SeriesProducer} (see SymbolSeries); event counts are an observable counter; the
 * loop duration histogram and the gauges are synchronous instruments.
 */
export class Telemetry implements EventSink {
  readonly name = 'telemetry';

  private readonly provider: MeterProvider;
  private readonly prometheus: PrometheusExporter;
  private readonly serializer: PrometheusText;
  private readonly otlp: OtlpMetricReader | null;
  private readonly runtime: Registry | null;
  private storeSource: { stats(): StoreStats } | null = null;
  private stopping: Promise<void> | null = null;
  private readonly clock: MonitoringConfig['clock'];

  private readonly symbols: LabelCap<SymbolSeries>;
  private readonly loops: LabelCap<LoopSeries>;
  private readonly metricNames: LabelCap<Attributes>;
  private readonly eventCounts = new Map<string, EventCount>();
  private readonly errorAttributes = new Map<string, Readonly<Record<string, Attributes>>>();
  private readonly sinkAttributes = new Map<string, Attributes>();
  private readonly seededSinks: readonly string[];

  private readonly growthRatio: Gauge;
  private readonly loopExecutions: Counter;
  private readonly loopDuration: Histogram;
  private readonly loopLastSuccess: Gauge;
  private readonly liquiditySpread: Gauge;
  private readonly liquidityBidSize: Gauge;
  private readonly liquidityAskSize: Gauge;
  private readonly liquidityDepth: Gauge;
  private readonly liquidityVolatility: Gauge;
  private readonly liquidityVolume: Gauge;
  private readonly errors: Counter;
  private readonly performance: Gauge;
  private readonly labelOverflow: Counter;

  constructor(
    config: MonitoringConfig,
    private readonly sources: TelemetrySources,
    options: TelemetryOptions = {},
  ) {
    this.clock = config.clock;
    const maxLoops = options.maxLoops ?? DEFAULT_MAX_LOOPS;
    const maxMetricNames = options.maxMetricNames ?? DEFAULT_MAX_METRIC_NAMES;
    // Above the caps so OpenTelemetry's own overflow series (otel_metric_overflow) never appears:
    // the caps below are the ones that decide, and they say which label overflowed.
    const limit = Math.max(2000, 2 * config.maxSymbols + 2, 2 * maxLoops + 2, maxMetricNames + 1, 64 + 8);

    const identity: Attributes = { bot: config.botName };
    if (config.strategy !== '') identity.strategy = config.strategy;
    if (config.exchange !== '') identity.exchange = config.exchange;

    const resource = resourceFromAttributes({
      'service.name': METER_NAME,
      'service.version': PACKAGE_VERSION,
      'service.instance.id': config.botName,
      ...identity,
    });
    // The per-symbol totals and trade histograms, read from the symbol series at collection; each
    // reader sees them next to the SDK's own metrics (the SDK's resource is the one kept), through
    // a producer of its own: the OTLP one reports deltas where the exporter prefers them.
    const scope = { name: METER_NAME, version: PACKAGE_VERSION };
    const series = new SeriesProducer(resource, scope, this.symbolFamilies());

    // The pull reader only: its server stays off (the monitor's own server serves /metrics) and
    // its text comes from PrometheusText, so no target_info or otel_scope_* labels appear.
    this.prometheus = new PrometheusExporter({
      preventServerStart: true,
      withoutScopeInfo: true,
      withoutTargetInfo: true,
      metricProducers: [series],
    });
    // Bot identity labels are constant labels of the exposition (and resource attributes over
    // OTLP), so they are on every series without being in every attribute set on the hot path.
    this.serializer = new PrometheusText(identity as Record<string, string>);
    const readers: IMetricReader[] = [this.prometheus];
    this.otlp =
      config.otlpMetrics === null
        ? null
        : new OtlpMetricReader({
            endpoint: config.otlpMetrics,
            clock: config.clock,
            intervalMillis: Math.round(config.metricsIntervalSeconds * 1000),
            cardinalityLimit: limit,
            metricProducers: [
              new SeriesProducer(resource, scope, this.symbolFamilies(), {
                temporalityOf: temporalitySelector(config.otlpMetrics.temporality),
              }),
            ],
            onError: (error) => this.fail(OTLP_SINK, error),
          });
    if (this.otlp) readers.push(this.otlp);
    this.seededSinks = this.otlp ? [...BUILT_IN_SINKS, OTLP_SINK] : BUILT_IN_SINKS;

    const views: ViewOptions[] = Object.values(METRICS).map((info) => ({ instrumentName: info.name, aggregationCardinalityLimit: limit }));
    const byName = (info: MetricInfo) => views.findIndex((v) => v.instrumentName === info.name);
    views[byName(METRICS.loopDuration)] = histogramView(METRICS.loopDuration, LOOP_SECONDS_BUCKETS, limit);

    this.provider = new MeterProvider({ resource, views, readers });
    const meter = this.provider.getMeter(METER_NAME, PACKAGE_VERSION);
    const opts = (info: MetricInfo) => ({ description: info.help });

    this.growthRatio = meter.createGauge(METRICS.growthRatio.name, opts(METRICS.growthRatio));
    this.loopExecutions = meter.createCounter(METRICS.loopExecutions.name, opts(METRICS.loopExecutions));
    this.loopDuration = meter.createHistogram(METRICS.loopDuration.name, opts(METRICS.loopDuration));
    this.loopLastSuccess = meter.createGauge(METRICS.loopLastSuccess.name, opts(METRICS.loopLastSuccess));
    this.liquiditySpread = meter.createGauge(METRICS.liquiditySpread.name, opts(METRICS.liquiditySpread));
    this.liquidityBidSize = meter.createGauge(METRICS.liquidityBidSize.name, opts(METRICS.liquidityBidSize));
    this.liquidityAskSize = meter.createGauge(METRICS.liquidityAskSize.name, opts(METRICS.liquidityAskSize));
    this.liquidityDepth = meter.createGauge(METRICS.liquidityDepth.name, opts(METRICS.liquidityDepth));
    this.liquidityVolatility = meter.createGauge(METRICS.liquidityVolatility.name, opts(METRICS.liquidityVolatility));
    this.liquidityVolume = meter.createGauge(METRICS.liquidityVolume.name, opts(METRICS.liquidityVolume));
    this.errors = meter.createCounter(METRICS.errors.name, opts(METRICS.errors));
    this.performance = meter.createGauge(METRICS.performance.name, opts(METRICS.performance));
    this.labelOverflow = meter.createCounter(METRICS.labelOverflow.name, opts(METRICS.labelOverflow));

    const overflow = (label: string) => {
      const attributes = Object.freeze({ [Label.LABEL]: label });
      return () => this.labelOverflow.add(1, attributes);
    };
    this.symbols = new LabelCap<SymbolSeries>(
      config.maxSymbols,
      (symbol) => ({
        plain: Object.freeze({ [Label.SYMBOL]: symbol }),
        buy: Object.freeze({ [Label.SYMBOL]: symbol, [Label.SIDE]: TRADE_SIDES[0] }),
        sell: Object.freeze({ [Label.SYMBOL]: symbol, [Label.SIDE]: TRADE_SIDES[1] }),
        buyTrades: 0,
        sellTrades: 0,
        buyVolume: 0,
        sellVolume: 0,
        fees: 0,
        realizedPnl: 0,
        pnlStartMillis: 0,
        execution: new BucketHistogram(EXECUTION_SECONDS_BUCKETS),
        buySlippage: new BucketHistogram(SLIPPAGE_BPS_BUCKETS),
        sellSlippage: new BucketHistogram(SLIPPAGE_BPS_BUCKETS),
      }),
      overflow(Label.SYMBOL),
    );
    this.loops = new LabelCap<LoopSeries>(
      maxLoops,
      (loop) => ({
        plain: Object.freeze({ [Label.LOOP]: loop }),
        success: Object.freeze({ [Label.LOOP]: loop, [Label.STATUS]: LoopStatus.SUCCESS }),
        failure: Object.freeze({ [Label.LOOP]: loop, [Label.STATUS]: LoopStatus.FAILURE }),
      }),
      overflow(Label.LOOP),
    );
    // Keyed by name NUL unit: names and units never contain control characters (validated).
    this.metricNames = new LabelCap<Attributes>(
      maxMetricNames,
      (key) => {
        const i = key.indexOf('\0');
        return Object.freeze({ [Label.NAME]: i < 0 ? key : key.slice(0, i), [Label.UNIT]: i < 0 ? key : key.slice(i + 1) });
      },
      overflow(Label.NAME),
    );
    for (const type of Object.values(EventType))
      this.eventCounts.set(type, { attributes: Object.freeze({ [Label.EVENT_TYPE]: type }), count: 0 });
    for (const type of Object.values(ErrorType)) {
      const bySeverity: Record<string, Attributes> = {};
      for (const severity of ERROR_SEVERITIES)
        bySeverity[severity] = Object.freeze({ [Label.ERROR_TYPE]: type, [Label.SEVERITY]: severity });
      this.errorAttributes.set(type, Object.freeze(bySeverity));
    }

    // Store first: a failure reading it is then counted in the same collection's failure counters.
    this.observeStoreStats(meter);
    this.observeMonitor(meter);
    this.observeTotals(meter);
    this.observeMarks(meter);
    this.observeNotifications(meter);
    this.runtime = options.runtimeMetrics === false ? null : runtimeRegistry(identity);
  }

  /** Exports the store's figures (`poseidon_db_size_bytes`, `poseidon_store_*`) from `source`, read at collection time. */
  observeStore(store: { stats(): StoreStats }): void {
    this.storeSource = store;
  }

  /** The current metrics in the Prometheus text exposition format (version 0.0.4). */
  async scrape(): Promise<string> {
    return (await this.scrapeBytes()).toString('utf8');
  }

  /** {@link scrape}'s text as UTF-8 bytes, as `/metrics` sends it. */
  async scrapeBytes(): Promise<Buffer> {
    const { resourceMetrics, errors } = await this.prometheus.collect();
    for (const error of errors) this.fail(this.name, error);
    const runtime = this.runtime === null ? '' : `\n${await this.runtime.metrics()}`;
    return this.serializer.serialize(resourceMetrics, runtime);
  }

  record(event: MonitorEvent): void {
    const counted = this.eventCounts.get(event.eventType);
    if (counted !== undefined) counted.count++;
    switch (event.eventType) {
      case EventType.TRADE_EXECUTION: {
        const s = this.symbols.get(event.symbol);
        let slippage: BucketHistogram;
        if (event.side === 'buy') {
          s.buyTrades++;
          s.buyVolume += event.notionalValue;
          slippage = s.buySlippage;
        } else {
          s.sellTrades++;
          s.sellVolume += event.notionalValue;
          slippage = s.sellSlippage;
        }
        s.fees += event.fee;
        s.execution.record(event.executionTimeMs / 1000);
        // Favourable (negative) slippage counts as none, in the first bucket (le="0").
        slippage.record(Math.max(event.slippageBps, 0));
        break;
      }
      case EventType.PROFIT_LOSS: {
        const s = this.symbols.get(event.symbol);
        s.realizedPnl += event.realizedPnl;
        // Wall clock, like the other series' start times.
        if (s.pnlStartMillis === 0) s.pnlStartMillis = Date.now();
        break;
      }
      case EventType.LOOP_EXECUTION: {
        const l = this.loops.get(event.loopName);
        this.loopExecutions.add(1, event.success ? l.success : l.failure);
        this.loopDuration.record(event.durationMs / 1000, l.plain);
        if (event.success) this.loopLastSuccess.record(event.endTime / 1000, l.plain);
        break;
      }
      case EventType.LIQUIDITY_ANALYSIS: {
        const a = this.symbols.get(event.symbol).plain;
        this.liquiditySpread.record(event.spread, a);
        this.liquidityBidSize.record(event.bidSize, a);
        this.liquidityAskSize.record(event.askSize, a);
        this.liquidityDepth.record(event.marketDepth, a);
        this.liquidityVolatility.record(event.volatility24h, a);
        this.liquidityVolume.record(event.volume24h, a);
        break;
      }
      case EventType.ERROR_EVENT:
        this.errors.add(1, this.errorAttributes.get(event.errorType)?.[event.severity]);
        break;
      case EventType.PERFORMANCE_METRIC:
        this.performance.record(event.value, this.metricNames.get(`${event.metricName}\0${event.unit}`));
        break;
      case EventType.GROWTH_TRACKING:
        this.growthRatio.record(event.growthRatio, NO_ATTRIBUTES);
        break;
      default:
        break;
    }
  }

  /** Starts the OTLP export timer, if OTLP is configured. */
  start(): void {
    this.otlp?.start();
  }

  /** Pushes the current figures to the collector now, if OTLP is configured. */
  async flush(): Promise<void> {
    await this.otlp?.forceFlush();
  }

  /** Exports a last time over OTLP and shuts the meter provider down. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.provider.shutdown().catch((error: unknown) => this.fail(this.name, error));
    return this.stopping;
  }

  private fail(where: string, error: unknown): void {
    this.sources.diagnostics.sinkFailed(where, error, this.clock.now());
  }

  /** Gauges and counters read from the monitor at collection time (balance, active loops, failures). */
  private observeMonitor(meter: Meter): void {
    const balance = meter.createObservableGauge(METRICS.accountBalance.name, { description: METRICS.accountBalance.help });
    const active = meter.createObservableGauge(METRICS.loopsActive.name, { description: METRICS.loopsActive.help });
    const callbacks = meter.createObservableCounter(METRICS.callbackFailures.name, { description: METRICS.callbackFailures.help });
    const sinks = meter.createObservableCounter(METRICS.sinkFailures.name, { description: METRICS.sinkFailures.help });
    const build = meter.createObservableGauge(METRICS.buildInfo.name, { description: METRICS.buildInfo.help });
    const buildAttributes = Object.freeze({ [Label.VERSION]: PACKAGE_VERSION });
    const kindAttributes = new Map<string, Attributes>(
      Object.keys(this.sources.diagnostics.callbackFailures).map((kind) => [kind, Object.freeze({ [Label.KIND]: kind })]),
    );
    const counts = new Map<LoopSeries, number>();
    meter.addBatchObservableCallback(
      (result) => {
        result.observe(build, 1, buildAttributes);
        const value = this.sources.state.accountBalance();
        if (value !== null) result.observe(balance, value);
        // Every loop seen so far reports, so a loop that finished shows 0 rather than vanishing.
        counts.clear();
        for (const loop of this.loops.values()) counts.set(this.loops.get(loop), 0);
        for (const run of this.sources.state.activeLoops()) {
          const l = this.loops.get(run.loopName);
          counts.set(l, (counts.get(l) ?? 0) + 1);
        }
        for (const [l, n] of counts) result.observe(active, n, l.plain);
        const d = this.sources.diagnostics;
        for (const [kind, n] of Object.entries(d.callbackFailures)) {
          result.observe(callbacks, n, kindAttributes.get(kind));
        }
        for (const sink of this.seededSinks) if (!d.sinkFailures.has(sink)) result.observe(sinks, 0, this.sinkLabel(sink));
        for (const [sink, n] of d.sinkFailures) result.observe(sinks, n, this.sinkLabel(sink));
      },
      [balance, active, callbacks, sinks, build],
    );
  }

  /** Counts of events by type, reported at collection. */
  private observeTotals(meter: Meter): void {
    const events = meter.createObservableCounter(METRICS.events.name, { description: METRICS.events.help });
    events.addCallback((result) => {
      for (const e of this.eventCounts.values()) if (e.count > 0) result.observe(e.count, e.attributes);
    });
  }

  /**
   * The per-symbol series bumped by {@link Telemetry.record}: trades and volume per side, fees and
   * realized P&L per symbol, the execution-time histogram per symbol and the slippage histogram
   * per side. A total reports once its symbol has traded (on that side) and begins at its first
   * trade; realized P&L reports from the symbol's first P&L event.
   */
  private symbolFamilies(): { sums: SumFamily[]; histograms: HistogramFamily[] } {
    type Emit = Parameters<SumFamily['forEach']>[0];
    type EmitHistogram = Parameters<HistogramFamily['forEach']>[0];
    type Total = 'buyTrades' | 'sellTrades' | 'buyVolume' | 'sellVolume';
    const each =
      <E>(visit: (s: SymbolSeries, emit: E) => void) =>
      (emit: E) => {
        for (const s of this.symbols.all()) visit(s, emit);
      };
    const bySide = (buy: Total, sell: Total) =>
      each<Emit>((s, emit) => {
        if (s.buyTrades > 0) emit(s.buy, s[buy], s.buySlippage.startMillis);
        if (s.sellTrades > 0) emit(s.sell, s[sell], s.sellSlippage.startMillis);
      });
    return {
      sums: [
        { info: METRICS.trades, monotonic: true, forEach: bySide('buyTrades', 'sellTrades') },
        { info: METRICS.tradeVolume, monotonic: true, forEach: bySide('buyVolume', 'sellVolume') },
        {
          info: METRICS.tradeFees,
          monotonic: true,
          forEach: each<Emit>((s, emit) => {
            if (s.buyTrades > 0 || s.sellTrades > 0) emit(s.plain, s.fees, s.execution.startMillis);
          }),
        },
        // Realized P&L goes down on losses: a non-monotonic sum, which Prometheus sees as a gauge.
        {
          info: METRICS.realizedPnl,
          monotonic: false,
          forEach: each<Emit>((s, emit) => {
            if (s.pnlStartMillis !== 0) emit(s.plain, s.realizedPnl, s.pnlStartMillis);
          }),
        },
      ],
      histograms: [
        {
          info: METRICS.tradeExecution,
          boundaries: EXECUTION_SECONDS_BUCKETS,
          forEach: each<EmitHistogram>((s, emit) => emit(s.plain, s.execution)),
        },
        {
          info: METRICS.tradeSlippage,
          boundaries: SLIPPAGE_BPS_BUCKETS,
          forEach: each<EmitHistogram>((s, emit) => {
            emit(s.buy, s.buySlippage);
            emit(s.sell, s.sellSlippage);
          }),
        },
      ],
    };
  }

  /**
   * Unrealized P&L and equity, computed by the monitor at collection time. A symbol reports once
   * traded or holding a position (one restored from history at start included), and keeps
   * reporting, so a closed position shows 0 rather than its last value going stale.
   */
  private observeMarks(meter: Meter): void {
    const unrealized = meter.createObservableGauge(METRICS.unrealizedPnl.name, { description: METRICS.unrealizedPnl.help });
    const equity = meter.createObservableGauge(METRICS.equity.name, { description: METRICS.equity.help });
    const bySeries = new Map<SymbolSeries, number>();
    const reported = new Set<SymbolSeries>();
    meter.addBatchObservableCallback(
      (result) => {
        const value = this.sources.state.equity();
        if (value !== null) result.observe(equity, value);
        const positions = this.sources.state.unrealizedPnl().bySymbol;
        bySeries.clear();
        for (const p of positions) {
          // peek first: a symbol already bound (or summed under __other__) is not counted as an overflow again.
          const s = this.symbols.peek(p.symbol) ?? this.symbols.get(p.symbol);
          bySeries.set(s, (bySeries.get(s) ?? 0) + p.unrealizedPnl);
          reported.add(s);
        }
        for (const s of this.symbols.all()) if (s.buyTrades > 0 || s.sellTrades > 0) reported.add(s);
        for (const s of reported) result.observe(unrealized, bySeries.get(s) ?? 0, s.plain);
      },
      [unrealized, equity],
    );
  }

  /** The webhook notifier's counts; absent when no webhook is configured. */
  private observeNotifications(meter: Meter): void {
    const counter = (info: MetricInfo) => meter.createObservableCounter(info.name, { description: info.help });
    const sent = counter(METRICS.notificationsSent);
    const failed = counter(METRICS.notificationsFailed);
    const dropped = counter(METRICS.notificationsDropped);
    meter.addBatchObservableCallback(
      (result) => {
        const n = this.sources.notifier?.stats ?? null;
        if (n === null) return;
        result.observe(sent, n.sent);
        result.observe(failed, n.failed);
        result.observe(dropped, n.dropped);
      },
      [sent, failed, dropped],
    );
  }

  private sinkLabel(sink: string): Attributes {
    let a = this.sinkAttributes.get(sink);
    if (a === undefined) {
      a = Object.freeze({ [Label.SINK]: sink });
      this.sinkAttributes.set(sink, a);
    }
    return a;
  }

  /** The store's figures; absent until {@link Telemetry.observeStore} names a source. */
  private observeStoreStats(meter: Meter): void {
    const gauge = (info: MetricInfo) => meter.createObservableGauge(info.name, { description: info.help });
    const counter = (info: MetricInfo) => meter.createObservableCounter(info.name, { description: info.help });
    const size = gauge(METRICS.dbSize);
    const buffered = gauge(METRICS.storeBufferedRows);
    const flushSeconds = gauge(METRICS.storeFlushDuration);
    const failures = counter(METRICS.storeWriteFailures);
    const dropped = counter(METRICS.storeDroppedRows);
    const written = counter(METRICS.storeRowsWritten);
    meter.addBatchObservableCallback(
      (result: BatchObservableResult) => {
        if (this.storeSource === null) return;
        let s: StoreStats;
        try {
          s = this.storeSource.stats();
        } catch (error) {
          this.fail(this.name, error);
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
}

/** prom-client's default process and Node.js metrics, prefixed `poseidon_`, in a registry of their own. */
function runtimeRegistry(identity: Attributes): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(identity as Record<string, string>);
  collectDefaultMetrics({ register: registry, prefix: RUNTIME_PREFIX });
  for (const name of DROPPED_RUNTIME_METRICS) registry.removeSingleMetric(name);
  return registry;
}
