// Pushes the monitor's metrics to an OpenTelemetry Collector over OTLP/HTTP on a timer of the monitor's clock.

import {
  AggregationTemporalityPreference,
  CumulativeTemporalitySelector,
  DeltaTemporalitySelector,
  LowMemoryTemporalitySelector,
  OTLPMetricExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import {
  type AggregationTemporalitySelector,
  type MetricProducer,
  MetricReader,
  type ResourceMetrics,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Clock, TimerHandle } from '../clock.js';
import { deadlineAgentFactory } from '../internal/deadlineAgent.js';
import { METRICS, otlpUnit } from './names.js';
import type { OtlpEndpoint, OtlpTemporality } from './otlpEndpoint.js';

/** Each preference as the exporter takes it, and the temporality it gives each kind of instrument. */
const TEMPORALITIES: Record<OtlpTemporality, readonly [AggregationTemporalityPreference, AggregationTemporalitySelector]> = {
  cumulative: [AggregationTemporalityPreference.CUMULATIVE, CumulativeTemporalitySelector],
  delta: [AggregationTemporalityPreference.DELTA, DeltaTemporalitySelector],
  lowmemory: [AggregationTemporalityPreference.LOWMEMORY, LowMemoryTemporalitySelector],
};

/**
 * The temporality a preference gives each kind of instrument, as the OTLP exporter selects it: for
 * the reader's own instruments and for the series a metric producer of that reader reports.
 */
export function temporalitySelector(temporality: OtlpTemporality): AggregationTemporalitySelector {
  return TEMPORALITIES[temporality][1];
}

// ExportResultCode.SUCCESS of @opentelemetry/core, which is not a direct dependency of this package.
const EXPORT_SUCCESS = 0;

/** Options of {@link OtlpMetricReader}. */
export interface OtlpMetricReaderOptions {
  readonly endpoint: OtlpEndpoint;
  readonly clock: Clock;
  /** Milliseconds between exports. */
  readonly intervalMillis: number;
  /** Most distinct attribute sets per instrument before OpenTelemetry folds the rest into one overflow series. */
  readonly cardinalityLimit: number;
  /** Metrics kept outside the SDK, exported with the SDK's. @default none */
  readonly metricProducers?: readonly MetricProducer[];
  /** Told about every failed export; never throws. */
  readonly onError: (error: Error) => void;
}

/**
 * A metric reader that collects and exports every `intervalMillis`, like the SDK's
 * PeriodicExportingMetricReader, but with its timer on the monitor's {@link Clock} so tests move
 * time instead of waiting, and a failed export reported instead of thrown. Exports never overlap.
 */
export class OtlpMetricReader extends MetricReader {
  private readonly exporter: OTLPMetricExporter;
  private readonly options: OtlpMetricReaderOptions;
  private timer: TimerHandle | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private stopped = false;

  constructor(options: OtlpMetricReaderOptions) {
    const exporter = new OTLPMetricExporter({
      url: options.endpoint.url,
      headers: { ...options.endpoint.headers },
      timeoutMillis: options.endpoint.timeoutMillis,
      httpAgentOptions: deadlineAgentFactory(options.endpoint.timeoutMillis),
      // From the monitor's configuration, not the exporter's own reading of process.env.
      temporalityPreference: TEMPORALITIES[options.endpoint.temporality][0],
    });
    super({
      aggregationTemporalitySelector: temporalitySelector(options.endpoint.temporality),
      aggregationSelector: (type) => exporter.selectAggregation(type),
      cardinalitySelector: () => options.cardinalityLimit,
      metricProducers: [...(options.metricProducers ?? [])],
    });
    this.exporter = exporter;
    this.options = options;
  }

  /** Starts the export timer. */
  start(): void {
    if (this.stopped || this.timer !== null) return;
    this.schedule();
  }

  /**
   * Collects and exports now. Exports never overlap: while one is under way, one more is queued
   * behind it (it collects the figures of that later moment) and further calls share that one.
   */
  exportNow(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.running) {
      this.queued = this.running.then(() => {
        this.queued = null;
        return this.startExport();
      });
      return this.queued;
    }
    return this.startExport();
  }

  private startExport(): Promise<void> {
    const run: Promise<void> = this.exportOnce().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  protected override async onForceFlush(): Promise<void> {
    await this.exportNow();
    await this.exporter.forceFlush();
  }

  protected override async onShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    // The last figures go out before the exporter closes.
    await this.exportNow();
    await this.exporter.shutdown();
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      // Re-armed at once, like an interval: the cadence does not drift by the export's duration,
      // and an export still running when the next is due has the next queued behind it.
      this.schedule();
      void this.exportNow();
    }, this.options.intervalMillis);
  }

  private async exportOnce(): Promise<void> {
    try {
      const { resourceMetrics, errors } = await this.collect();
      for (const error of errors) this.options.onError(error instanceof Error ? error : new Error(String(error)));
      if (resourceMetrics.scopeMetrics.length === 0) return;
      const payload = forExport(resourceMetrics);
      const result = await new Promise<{ code: number; error?: Error }>((resolve) => this.exporter.export(payload, resolve));
      if (result.code !== EXPORT_SUCCESS) {
        this.options.onError(result.error ?? new Error(`OTLP metrics export to ${this.options.endpoint.url} failed`));
      }
    } catch (error) {
      this.options.onError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

const UNITS = new Map(Object.values(METRICS).map((info) => [info.name, otlpUnit(info)]));

/**
 * The collection as OTLP should carry it: one ScopeMetrics per scope (the SDK's instruments and
 * the series producer's share the monitor's scope, and arrive as two), and every metric with its
 * unit (the instruments are created without one, so the Prometheus names stay exactly as written).
 */
function forExport(resourceMetrics: ResourceMetrics): ResourceMetrics {
  const byScope = new Map<string, ScopeMetrics>();
  for (const sm of resourceMetrics.scopeMetrics) {
    const key = JSON.stringify([sm.scope.name, sm.scope.version ?? '', sm.scope.schemaUrl ?? '']);
    const metrics = sm.metrics.map((m) => {
      const unit = UNITS.get(m.descriptor.name);
      return unit === undefined || m.descriptor.unit !== '' ? m : { ...m, descriptor: { ...m.descriptor, unit } };
    });
    const seen = byScope.get(key);
    if (seen === undefined) byScope.set(key, { scope: sm.scope, metrics });
    else seen.metrics.push(...metrics);
  }
  return { resource: resourceMetrics.resource, scopeMetrics: [...byScope.values()] };
}
