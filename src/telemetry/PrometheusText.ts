// Serializes collected OpenTelemetry metrics to the Prometheus text format 0.0.4, fast enough for thousands of series per scrape.

import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { textNumber } from '../internal/numberText.js';
import { Utf8Buffer } from '../internal/Utf8Buffer.js';

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value as the text format writes it (`+Inf`, `-Inf`, `NaN`). */
function formatValue(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return textNumber(v);
}

/** The text before each value of one series: a histogram's bucket, `_sum` and `_count` lines, or a single sample's. */
interface SeriesHeads {
  /** The boundaries the bucket heads were built for (a histogram's array is shared by its points). */
  readonly bounds: readonly number[] | null;
  readonly heads: readonly string[];
}

/** Equal boundaries (the SDK shares one array per histogram; a copy with the same values is the same series shape). */
function sameBounds(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** `s` as one flat string: a head is written at every scrape, and a string built by concatenation is a tree until flattened. */
const flat = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

/**
 * Does what the exporter's own PrometheusSerializer does for our instruments, with differences
 * that matter at scrape time: the text before each value (`name_bucket{labels,le="0.5"} `) is built
 * once per series and kept, so a scrape only formats the values; constant labels (the bot identity)
 * are rendered once; and the text goes straight into bytes, a block of lines per series, instead of
 * one string of thousands of pieces that must be flattened again to be sent (that copy was a third
 * of a scrape). Families follow collection order; histogram buckets are cumulative and followed by
 * `_sum` and `_count`, as Prometheus client libraries write them. Names are written as given: every
 * instrument is named by `names.ts` in its final form. The heads are held per attribute object (the
 * SDK hands back the same frozen objects telemetry records with), so they go with their series.
 */
export class PrometheusText {
  private readonly labelText = new WeakMap<Attributes, string>();
  private readonly heads = new Map<string, WeakMap<Attributes, SeriesHeads>>();
  private readonly constant: string;
  /** Bytes of the last exposition, so the next one is allocated once at about its size. */
  private lastBytes = 64 * 1024;

  /** `constantLabels` are appended to every sample's labels (after the sample's own). */
  constructor(constantLabels: Readonly<Record<string, string>>) {
    this.constant = Object.entries(constantLabels)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(',');
  }

  /** The exposition of `resourceMetrics` as UTF-8, followed by `trailer` (already in the text format). */
  serialize(resourceMetrics: ResourceMetrics, trailer = ''): Buffer {
    const out = new Utf8Buffer(this.lastBytes + (this.lastBytes >> 3));
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) this.family(metric, out);
    }
    if (trailer !== '') out.append(trailer);
    this.lastBytes = out.length;
    return out.view();
  }

  /** `a="1",b="2",bot="x"` for an attribute set (no braces); '' when there are no labels at all. */
  private labels(attributes: Attributes): string {
    let text = this.labelText.get(attributes);
    if (text === undefined) {
      text = '';
      for (const key in attributes) {
        const v = attributes[key];
        if (v === undefined) continue;
        text += `${text === '' ? '' : ','}${key}="${escapeLabel(typeof v === 'string' ? v : JSON.stringify(v))}"`;
      }
      if (this.constant !== '') text += text === '' ? this.constant : `,${this.constant}`;
      this.labelText.set(attributes, text);
    }
    return text;
  }

  /** The heads of one series of family `name`, built on first use (and again if a histogram's boundaries change). */
  private seriesHeads(name: string, attributes: Attributes, bounds: readonly number[] | null): readonly string[] {
    let byAttributes = this.heads.get(name);
    if (byAttributes === undefined) {
      byAttributes = new WeakMap();
      this.heads.set(name, byAttributes);
    }
    const known = byAttributes.get(attributes);
    if (known !== undefined && sameBounds(known.bounds, bounds)) return known.heads;
    const labels = this.labels(attributes);
    const heads: string[] = [];
    if (bounds === null) {
      heads.push(flat(`${name}${labels === '' ? '' : `{${labels}}`} `));
    } else {
      const sep = labels === '' ? '' : ',';
      for (const b of bounds) heads.push(flat(`${name}_bucket{${labels}${sep}le="${formatValue(b)}"} `));
      heads.push(flat(`${name}_bucket{${labels}${sep}le="+Inf"} `));
      const braces = labels === '' ? '' : `{${labels}}`;
      heads.push(flat(`${name}_sum${braces} `), flat(`${name}_count${braces} `));
    }
    byAttributes.set(attributes, { bounds, heads });
    return heads;
  }

  private family(metric: MetricData, out: Utf8Buffer): void {
    const name = metric.descriptor.name;
    let type: string;
    if (metric.dataPointType === DataPointType.HISTOGRAM) type = 'histogram';
    else if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) type = 'counter';
    else if (metric.dataPointType === DataPointType.SUM || metric.dataPointType === DataPointType.GAUGE) type = 'gauge';
    else return;
    out.append(`# HELP ${name} ${escapeHelp(metric.descriptor.description || name)}\n# TYPE ${name} ${type}\n`);
    if (metric.dataPointType === DataPointType.HISTOGRAM) {
      for (const point of metric.dataPoints) {
        const { boundaries, counts } = point.value.buckets;
        const heads = this.seriesHeads(name, point.attributes, boundaries);
        let cumulative = 0;
        let block = '';
        for (let i = 0; i <= boundaries.length; i++) {
          cumulative += counts[i] ?? 0;
          block += `${heads[i]}${formatValue(cumulative)}\n`;
        }
        const n = boundaries.length;
        block += `${heads[n + 1]}${formatValue(point.value.sum ?? 0)}\n${heads[n + 2]}${formatValue(point.value.count)}\n`;
        out.append(block);
      }
    } else {
      for (const point of metric.dataPoints) {
        out.append(`${this.seriesHeads(name, point.attributes, null)[0]}${formatValue(point.value as number)}\n`);
      }
    }
  }
}
