// The Prometheus exposition: the pull reader of the meter provider, the own text writer and prom-client's runtime metrics, as /metrics bytes.

import type { Attributes } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { CollectionResult, MetricProducer } from '@opentelemetry/sdk-metrics';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DROPPED_RUNTIME_METRICS, RUNTIME_PREFIX } from './names.js';
import { PrometheusText } from './PrometheusText.js';

/**
 * A PrometheusExporter used as a pull reader only (its server stays off: the monitor's own server
 * serves /metrics), whose collection {@link PrometheusText} writes, with prom-client's default process
 * and Node.js metrics appended. Bot identity labels are constant labels of the text.
 */
export class Exposition {
  /** The reader to give the meter provider. */
  readonly reader: PrometheusExporter;
  private readonly writer: PrometheusText;
  private readonly runtime: Registry | null;

  constructor(identity: Attributes, producers: MetricProducer[], runtimeMetrics: boolean) {
    // Its text comes from PrometheusText, so no target_info or otel_scope_* labels appear.
    this.reader = new PrometheusExporter({
      preventServerStart: true,
      withoutScopeInfo: true,
      withoutTargetInfo: true,
      metricProducers: producers,
    });
    this.writer = new PrometheusText(identity as Record<string, string>);
    this.runtime = runtimeMetrics ? runtimeRegistry(identity) : null;
  }

  /** What the pull reader collects, as the writer gets it. */
  collect(): Promise<CollectionResult> {
    return this.reader.collect();
  }

  /** The exposition as UTF-8 bytes; collection errors go to `onError`, the rest is still written. */
  async bytes(onError: (error: unknown) => void): Promise<Buffer> {
    const { resourceMetrics, errors } = await this.reader.collect();
    for (const error of errors) onError(error);
    const runtime = this.runtime === null ? '' : `\n${await this.runtime.metrics()}`;
    return this.writer.serialize(resourceMetrics, runtime);
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
