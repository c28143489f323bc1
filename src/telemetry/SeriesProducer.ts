// Series kept by the monitor itself (running totals and fixed-bucket histograms) handed to the OpenTelemetry readers as a MetricProducer.

import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type HistogramMetricData,
  InstrumentType,
  type MetricData,
  type MetricProducer,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import type { MetricInfo } from './names.js';

/** Milliseconds since the epoch as an OpenTelemetry HrTime, as the SDK's own `millisToHrTime` does. */
function toHrTime(epochMillis: number): HrTime {
  return [Math.trunc(epochMillis / 1000), Math.round((epochMillis % 1000) * 1e6)];
}

/**
 * One series of an explicit-bucket histogram: a count per bucket, the sum and the count. A value
 * goes into the first bucket whose upper bound is ≥ the value (Prometheus `le`), or the last
 * (+Inf) bucket above every bound. Recording is a binary search and three additions: no
 * attribute hashing, no allocation.
 */
export class BucketHistogram {
  /** One count per bucket: `boundaries.length` bounded buckets, then +Inf. Not cumulative. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  /** When the first value was recorded (epoch milliseconds, wall clock); 0 before. */
  startMillis = 0;

  /** `boundaries`: the finite bucket upper bounds, ascending. */
  constructor(private readonly boundaries: readonly number[]) {
    this.counts = new Float64Array(boundaries.length + 1);
  }

  record(value: number): void {
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (value > (b[mid] as number)) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo] = (this.counts[lo] as number) + 1;
    this.sum += value;
    // Wall clock, like the SDK's own data points, so every point of one export shares a time base.
    if (this.count++ === 0) this.startMillis = Date.now();
  }
}

/** One histogram metric: its catalogue entry, its bucket bounds and its series at collection time. */
export interface HistogramFamily {
  readonly info: MetricInfo;
  readonly boundaries: readonly number[];
  /** Calls `emit` for every series with its attribute set; series with no values yet are skipped. */
  forEach(emit: (attributes: Attributes, histogram: BucketHistogram) => void): void;
}

/**
 * One sum metric kept as running totals: a counter (monotonic; a Prometheus counter) or a sum
 * that can go down (a Prometheus gauge).
 */
export interface SumFamily {
  readonly info: MetricInfo;
  readonly monotonic: boolean;
  /**
   * Calls `emit` for every series that has a value, with the instant (epoch milliseconds, wall
   * clock) its total began. Both kinds of family are visited by callback rather than iterated, so
   * a collection allocates nothing per series beyond its data point.
   */
  forEach(emit: (attributes: Attributes, value: number, startMillis: number) => void): void;
}

/** What a delta collection remembers of a histogram series: its figures at the last collection. */
interface HistogramSnapshot {
  readonly counts: Float64Array;
  readonly sum: number;
  readonly count: number;
}

/** Options of {@link SeriesProducer}. */
export interface SeriesProducerOptions {
  /**
   * The temporality the reader wants per kind of instrument (an OTLP exporter's preference, from
   * `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`). Running totals are asked for as
   * counters or up-down counters, histograms as histograms. @default cumulative for every kind
   */
  readonly temporalityOf?: (instrument: InstrumentType) => AggregationTemporality;
}

/**
 * Hands series the monitor keeps itself to OpenTelemetry readers (pass it in `metricProducers`):
 * running totals shaped as the SDK reports a counter or up-down counter, and
 * {@link BucketHistogram} series shaped as it reports a synchronous histogram with an
 * explicit-bucket view (no min or max). Named and described as the instrument would be, no unit,
 * double values. A family with no series yet is left out, as the SDK leaves out an instrument
 * nothing was recorded on. Nothing here hashes an attribute set: the series carry their attribute
 * objects, built once, so the Prometheus serializer's label cache holds.
 *
 * Cumulative by default. Where the reader prefers delta for a kind, each collection reports what
 * changed since the previous one (a series first seen, since it began), from the previous
 * collection's time, and leaves out series that did not change, as the SDK does for its own delta
 * instruments: one producer per reader, since each remembers what it last reported.
 */
export class SeriesProducer implements MetricProducer {
  private readonly sums: readonly { readonly family: SumFamily; readonly last: WeakMap<Attributes, number> }[];
  private readonly histograms: readonly {
    readonly family: HistogramFamily;
    readonly boundaries: number[];
    readonly last: WeakMap<Attributes, HistogramSnapshot>;
  }[];
  private readonly temporalityOf: (instrument: InstrumentType) => AggregationTemporality;
  /** When the previous collection ran (epoch milliseconds, wall clock); 0 before the first. */
  private lastCollectMillis = 0;

  constructor(
    private readonly resource: Resource,
    private readonly scope: { readonly name: string; readonly version: string },
    families: { readonly sums?: readonly SumFamily[]; readonly histograms?: readonly HistogramFamily[] },
    options: SeriesProducerOptions = {},
  ) {
    this.sums = (families.sums ?? []).map((family) => ({ family, last: new WeakMap() }));
    // One array per family, shared by its points (the Prometheus serializer renders `le` once per array).
    this.histograms = (families.histograms ?? []).map((family) => ({ family, boundaries: [...family.boundaries], last: new WeakMap() }));
    this.temporalityOf = options.temporalityOf ?? (() => AggregationTemporality.CUMULATIVE);
  }

  async collect(): Promise<CollectionResult> {
    const now = Date.now();
    const endTime = toHrTime(now);
    const since = toHrTime(this.lastCollectMillis);
    const metrics: MetricData[] = [];
    for (const { family, last } of this.sums) {
      const temporality = this.temporalityOf(family.monotonic ? InstrumentType.COUNTER : InstrumentType.UP_DOWN_COUNTER);
      const delta = temporality === AggregationTemporality.DELTA;
      const dataPoints: SumMetricData['dataPoints'] = [];
      family.forEach((attributes, value, startMillis) => {
        // Cumulative, or a delta series first seen: everything since the series began.
        const before = delta ? last.get(attributes) : undefined;
        if (delta) {
          if (before === value) return;
          last.set(attributes, value);
        }
        dataPoints.push(
          before === undefined
            ? { attributes, startTime: toHrTime(startMillis), endTime, value }
            : { attributes, startTime: since, endTime, value: value - before },
        );
      });
      if (dataPoints.length === 0) continue;
      metrics.push({
        descriptor: descriptorOf(family.info),
        aggregationTemporality: temporality,
        dataPointType: DataPointType.SUM,
        isMonotonic: family.monotonic,
        dataPoints,
      });
    }
    for (const { family, boundaries, last } of this.histograms) {
      const temporality = this.temporalityOf(InstrumentType.HISTOGRAM);
      const delta = temporality === AggregationTemporality.DELTA;
      const dataPoints: HistogramMetricData['dataPoints'] = [];
      family.forEach((attributes, h) => {
        if (h.count === 0) return;
        const before = delta ? last.get(attributes) : undefined;
        if (delta) {
          if (before !== undefined && before.count === h.count) return;
          last.set(attributes, { counts: Float64Array.from(h.counts), sum: h.sum, count: h.count });
        }
        dataPoints.push({
          attributes,
          startTime: before === undefined ? toHrTime(h.startMillis) : since,
          endTime,
          value:
            before === undefined
              ? { buckets: { boundaries, counts: Array.from(h.counts) }, sum: h.sum, count: h.count }
              : {
                  buckets: { boundaries, counts: Array.from(h.counts, (c, i) => c - (before.counts[i] as number)) },
                  sum: h.sum - before.sum,
                  count: h.count - before.count,
                },
        });
      });
      if (dataPoints.length === 0) continue;
      metrics.push({
        descriptor: descriptorOf(family.info),
        aggregationTemporality: temporality,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints,
      } satisfies HistogramMetricData);
    }
    this.lastCollectMillis = now;
    return {
      resourceMetrics: { resource: this.resource, scopeMetrics: metrics.length === 0 ? [] : [{ scope: { ...this.scope }, metrics }] },
      errors: [],
    };
  }
}

function descriptorOf(info: MetricInfo): MetricData['descriptor'] {
  return { name: info.name, description: info.help, unit: '', valueType: ValueType.DOUBLE };
}
