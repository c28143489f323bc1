// Telemetry: the event sink that turns every event into OpenTelemetry instruments, served as Prometheus text and pushed over OTLP.

import type { Attributes, Counter, Gauge, Histogram } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, type CollectionResult, type IMetricReader, MeterProvider, type ViewOptions } from '@opentelemetry/sdk-metrics';
import type { MonitoringConfig } from '../config/MonitoringConfig.js';
import type { EventSink } from '../events/EventSink.js';
import { ERROR_SEVERITIES, ERROR_TYPES, EventType, type MonitorEvent } from '../events/types.js';
import type { Diagnostics } from '../internal/Diagnostics.js';
import type { StoreStats } from '../internal/StoreStats.js';
import type { MonitorStateView } from '../monitor/MonitorState.js';
import type { NotifierStats } from '../notify/WebhookNotifier.js';
import type { SystemSample } from '../system/SystemMetrics.js';
import { Exposition } from './Exposition.js';
import { LabelCap } from './LabelCap.js';
import { Label, LOOP_SECONDS_BUCKETS, LoopStatus, METRICS, type MetricInfo } from './names.js';
import { type EventCount, type LoopSeries, observeGauges } from './ObservedGauges.js';
import { OtlpMetricReader, temporalitySelector } from './OtlpMetricReader.js';
import { PACKAGE_VERSION } from './packageVersion.js';
import { SeriesProducer, type SumFamily } from './SeriesProducer.js';
import { TradeSeries } from './TradeSeries.js';

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
 * {@link SeriesProducer} ({@link TradeSeries}); what is read at collection lives in ObservedGauges;
 * the loop duration histogram and the event-driven gauges are synchronous instruments.
 */
export class Telemetry implements EventSink {
  readonly name = 'telemetry';

  private readonly provider: MeterProvider;
  private readonly exposition: Exposition;
  private readonly otlp: OtlpMetricReader | null;
  private storeSource: { stats(): StoreStats } | null = null;
  private systemSource: { readonly latest: SystemSample | null } | null = null;
  private stopping: Promise<void> | null = null;
  private readonly clock: MonitoringConfig['clock'];
  /** Real time when the clock simulates time (the demo's), else null and the events' own times are used. */
  private readonly wallNow: (() => number) | null;

  private readonly trades: TradeSeries;
  private readonly loops: LabelCap<LoopSeries>;
  private readonly metricNames: LabelCap<Attributes>;
  private readonly eventCounts = new Map<string, EventCount>();
  /**
   * Errors by type and severity, every pair from 0: running totals reported by the series producer,
   * as the trade series are, since the SDK's counter would copy every pair at every collection.
   */
  private readonly errorCounts = new Map<string, Readonly<Record<string, EventCount>>>();

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
  private readonly performance: Gauge;
  private readonly labelOverflow: Counter;

  constructor(
    config: MonitoringConfig,
    private readonly sources: TelemetrySources,
    options: TelemetryOptions = {},
  ) {
    this.clock = config.clock;
    // Timestamps Prometheus compares with time() must be real ones, even on a clock that runs 60x.
    const clock = config.clock;
    this.wallNow = typeof clock.wallNow === 'function' ? () => clock.wallNow!() : null;
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
    const overflow = (label: string) => {
      const attributes = Object.freeze({ [Label.LABEL]: label });
      return () => this.labelOverflow.add(1, attributes);
    };
    this.trades = new TradeSeries(config.maxSymbols, overflow(Label.SYMBOL));
    // The per-symbol totals and trade histograms, read from the trade series at collection; each
    // reader sees them next to the SDK's own metrics (the SDK's resource is the one kept), through
    // a producer of its own: the OTLP one reports deltas where the exporter prefers them.
    const scope = { name: METER_NAME, version: PACKAGE_VERSION };
    const families = () => {
      const trades = this.trades.families();
      return { sums: [...trades.sums, this.errorFamily()], histograms: trades.histograms };
    };
    this.exposition = new Exposition(identity, [new SeriesProducer(resource, scope, families())], options.runtimeMetrics !== false);
    const readers: IMetricReader[] = [this.exposition.reader];
    this.otlp =
      config.otlpMetrics === null
        ? null
        : new OtlpMetricReader({
            endpoint: config.otlpMetrics,
            clock: config.clock,
            intervalMillis: Math.round(config.metricsIntervalSeconds * 1000),
            cardinalityLimit: limit,
            metricProducers: [
              new SeriesProducer(resource, scope, families(), {
                temporalityOf: temporalitySelector(config.otlpMetrics.temporality),
              }),
            ],
            onError: (error) => this.fail(OTLP_SINK, error),
          });
    if (this.otlp) readers.push(this.otlp);

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
    this.performance = meter.createGauge(METRICS.performance.name, opts(METRICS.performance));
    this.labelOverflow = meter.createCounter(METRICS.labelOverflow.name, opts(METRICS.labelOverflow));

    this.loops = new LabelCap<LoopSeries>(
      maxLoops,
      (loop) => {
        const l: LoopSeries = {
          plain: Object.freeze({ [Label.LOOP]: loop }),
          success: Object.freeze({ [Label.LOOP]: loop, [Label.STATUS]: LoopStatus.SUCCESS }),
          failure: Object.freeze({ [Label.LOOP]: loop, [Label.STATUS]: LoopStatus.FAILURE }),
        };
        // Both outcomes exist at 0 from the loop's first run, so its first failure is a step Prometheus sees.
        this.loopExecutions.add(0, l.success);
        this.loopExecutions.add(0, l.failure);
        return l;
      },
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
    // Every (type, severity) exists at 0 from the start: a fresh bot's first error is an increase, not a new series.
    for (const type of ERROR_TYPES) {
      const bySeverity: Record<string, EventCount> = {};
      for (const severity of ERROR_SEVERITIES) {
        bySeverity[severity] = { attributes: Object.freeze({ [Label.ERROR_TYPE]: type, [Label.SEVERITY]: severity }), count: 0 };
      }
      this.errorCounts.set(type, Object.freeze(bySeverity));
    }

    observeGauges(meter, {
      sources,
      loops: this.loops,
      symbols: this.trades.symbols,
      lastTradeMillis: () => this.trades.lastTradeMillis,
      eventCounts: this.eventCounts,
      seededSinks: this.otlp ? [...BUILT_IN_SINKS, OTLP_SINK] : BUILT_IN_SINKS,
      store: () => this.storeSource,
      system: () => this.systemSource,
      fail: (error) => this.fail(this.name, error),
    });
  }

  /** Exports the store's figures (`poseidon_db_size_bytes`, `poseidon_store_*`) from `source`, read at collection time. */
  observeStore(store: { stats(): StoreStats }): void {
    this.storeSource = store;
  }

  /** Exports the host figures of `source`'s last sample (`poseidon_system_*`), read at collection time. */
  observeSystem(source: { readonly latest: SystemSample | null }): void {
    this.systemSource = source;
  }

  /** `poseidon_errors_total`: every (type, severity) pair, counted since this telemetry was built. */
  private errorFamily(): SumFamily {
    const since = Date.now();
    return {
      info: METRICS.errors,
      monotonic: true,
      forEach: (emit) => {
        for (const bySeverity of this.errorCounts.values())
          for (const severity of ERROR_SEVERITIES) emit(bySeverity[severity]!.attributes, bySeverity[severity]!.count, since);
      },
    };
  }

  /** The current metrics in the Prometheus text exposition format (version 0.0.4). */
  async scrape(): Promise<string> {
    return (await this.scrapeBytes()).toString('utf8');
  }

  /** {@link scrape}'s text as UTF-8 bytes, as `/metrics` sends it. */
  scrapeBytes(): Promise<Buffer> {
    return this.exposition.bytes((error) => this.fail(this.name, error));
  }

  /** The metrics as the /metrics writer gets them, before writing (to compare writers on the same data). */
  collect(): Promise<CollectionResult> {
    return this.exposition.collect();
  }

  record(event: MonitorEvent): void {
    const counted = this.eventCounts.get(event.eventType);
    if (counted !== undefined) counted.count++;
    switch (event.eventType) {
      case EventType.TRADE_EXECUTION:
        this.trades.trade(event, this.wallNow === null ? event.timestamp : this.wallNow());
        break;
      case EventType.PROFIT_LOSS:
        this.trades.pnl(event);
        break;
      case EventType.LOOP_EXECUTION: {
        const l = this.loops.get(event.loopName);
        this.loopExecutions.add(1, event.success ? l.success : l.failure);
        this.loopDuration.record(event.durationMs / 1000, l.plain);
        if (event.success) this.loopLastSuccess.record((this.wallNow === null ? event.endTime : this.wallNow()) / 1000, l.plain);
        break;
      }
      case EventType.LIQUIDITY_ANALYSIS: {
        const a = this.trades.symbols.get(event.symbol).plain;
        this.liquiditySpread.record(event.spread, a);
        this.liquidityBidSize.record(event.bidSize, a);
        this.liquidityAskSize.record(event.askSize, a);
        this.liquidityDepth.record(event.marketDepth, a);
        this.liquidityVolatility.record(event.volatility24h, a);
        this.liquidityVolume.record(event.volume24h, a);
        break;
      }
      case EventType.ERROR_EVENT: {
        // Type and severity are validated against the same lists the counts are built from.
        const counted = this.errorCounts.get(event.errorType)?.[event.severity];
        if (counted !== undefined) counted.count++;
        break;
      }
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
}
