// Fixed-bucket histograms kept by the monitor itself and handed to the OpenTelemetry readers as a MetricProducer.

import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type HistogramMetricData,
  type MetricProducer,
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
  /** Every series with its attribute set; series with no values yet are skipped. */
  series(): Iterable<readonly [Attributes, BucketHistogram]>;
}

/**
 * Hands {@link BucketHistogram} series to OpenTelemetry readers (pass it in `metricProducers`),
 * shaped as the SDK reports a synchronous histogram with an explicit-bucket view: cumulative,
 * no min or max, the instrument's name and description, no unit, double values. A family with no
 * values yet is left out, as the SDK leaves out an instrument nothing was recorded on.
 */
export class HistogramProducer implements MetricProducer {
  private readonly families: readonly { readonly family: HistogramFamily; readonly boundaries: number[] }[];

  constructor(
    private readonly resource: Resource,
    private readonly scope: { readonly name: string; readonly version: string },
    families: readonly HistogramFamily[],
  ) {
    // One array per family, shared by its points (the Prometheus serializer renders `le` once per array).
    this.families = families.map((family) => ({ family, boundaries: [...family.boundaries] }));
  }

  async collect(): Promise<CollectionResult> {
    const endTime = toHrTime(Date.now());
    const metrics: HistogramMetricData[] = [];
    for (const { family, boundaries } of this.families) {
      const dataPoints: HistogramMetricData['dataPoints'] = [];
      for (const [attributes, h] of family.series()) {
        if (h.count === 0) continue;
        dataPoints.push({
          attributes,
          startTime: toHrTime(h.startMillis),
          endTime,
          value: { buckets: { boundaries, counts: Array.from(h.counts) }, sum: h.sum, count: h.count },
        });
      }
      if (dataPoints.length === 0) continue;
      metrics.push({
        descriptor: { name: family.info.name, description: family.info.help, unit: '', valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints,
      });
    }
    return {
      resourceMetrics: { resource: this.resource, scopeMetrics: metrics.length === 0 ? [] : [{ scope: { ...this.scope }, metrics }] },
      errors: [],
    };
  }
}
