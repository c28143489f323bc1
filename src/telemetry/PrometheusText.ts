// Serializes collected OpenTelemetry metrics to the Prometheus text format 0.0.4, fast enough for thousands of series per scrape.

import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { textNumber } from '../internal/numberText.js';

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value as the text format writes it (`+Inf`, `-Inf`, `NaN`). */
function formatValue(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return textNumber(v);
}

/**
 * Does what the exporter's own PrometheusSerializer does for our instruments, with two
 * differences that matter at scrape time: the label text of each attribute set is built once and
 * cached (the SDK hands back the same frozen objects telemetry records with), and constant labels
 * (the bot identity) are rendered once. Families follow collection order; histogram buckets are
 * cumulative and followed by `_sum` and `_count`, as Prometheus client libraries write them.
 * Names are written as given: every instrument is named by `names.ts` in its final form.
 */
export class PrometheusText {
  private readonly labelText = new WeakMap<Attributes, string>();
  private readonly constant: string;

  /** `constantLabels` are appended to every sample's labels (after the sample's own). */
  constructor(constantLabels: Readonly<Record<string, string>>) {
    this.constant = Object.entries(constantLabels)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(',');
  }

  serialize(resourceMetrics: ResourceMetrics): string {
    let out = '';
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) out += this.family(metric);
    }
    return out;
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

  private family(metric: MetricData): string {
    const name = metric.descriptor.name;
    let type: string;
    if (metric.dataPointType === DataPointType.HISTOGRAM) type = 'histogram';
    else if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) type = 'counter';
    else if (metric.dataPointType === DataPointType.SUM || metric.dataPointType === DataPointType.GAUGE) type = 'gauge';
    else return '';
    let out = `# HELP ${name} ${escapeHelp(metric.descriptor.description || name)}\n# TYPE ${name} ${type}\n`;
    if (metric.dataPointType === DataPointType.HISTOGRAM) {
      let bounds: string[] = [];
      let boundsOf: number[] | null = null;
      for (const point of metric.dataPoints) {
        const labels = this.labels(point.attributes);
        const sep = labels === '' ? '' : ',';
        const { boundaries, counts } = point.value.buckets;
        if (boundaries !== boundsOf) {
          bounds = boundaries.map((b) => `le="${formatValue(b)}"`);
          boundsOf = boundaries;
        }
        let cumulative = 0;
        for (let i = 0; i < boundaries.length; i++) {
          cumulative += counts[i] ?? 0;
          out += `${name}_bucket{${labels}${sep}${bounds[i]}} ${formatValue(cumulative)}\n`;
        }
        cumulative += counts[boundaries.length] ?? 0;
        out += `${name}_bucket{${labels}${sep}le="+Inf"} ${formatValue(cumulative)}\n`;
        const braces = labels === '' ? '' : `{${labels}}`;
        out += `${name}_sum${braces} ${formatValue(point.value.sum ?? 0)}\n${name}_count${braces} ${formatValue(point.value.count)}\n`;
      }
    } else {
      for (const point of metric.dataPoints) {
        const labels = this.labels(point.attributes);
        out += `${name}${labels === '' ? '' : `{${labels}}`} ${formatValue(point.value as number)}\n`;
      }
    }
    return out;
  }
}
