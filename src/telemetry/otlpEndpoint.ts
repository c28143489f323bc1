// Reads where to send OTLP data from the standard OTEL_EXPORTER_OTLP_* variables, for metrics or logs.

import { ConfigurationError } from '../errors.js';

/** The signals this package exports over OTLP. */
export type OtlpSignal = 'metrics' | 'logs';

/** Where and how to POST one signal's OTLP/HTTP payloads. */
export interface OtlpEndpoint {
  /** Full URL of the signal, e.g. `http://collector:4318/v1/metrics`. */
  readonly url: string;
  /** Extra request headers (authentication), signal-specific ones winning over the generic ones. */
  readonly headers: Readonly<Record<string, string>>;
  /** Give up on one export after this long. @default 10000 */
  readonly timeoutMillis: number;
  /**
   * Metrics only: the aggregation temporality the collector wants
   * (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`); always `cumulative` for logs.
   * @default cumulative
   */
  readonly temporality: OtlpTemporality;
}

/** The values of `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`, as the OpenTelemetry specification names them. */
export type OtlpTemporality = 'cumulative' | 'delta' | 'lowmemory';
const TEMPORALITIES: readonly OtlpTemporality[] = ['cumulative', 'delta', 'lowmemory'];
const TEMPORALITY_VARIABLE = 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE';

const PATHS: Record<OtlpSignal, string> = { metrics: 'v1/metrics', logs: 'v1/logs' };
const DEFAULT_TIMEOUT_MILLIS = 10_000;
// http/protobuf is the spec's default, so many setups name it; the collector's OTLP/HTTP receiver
// takes JSON on the same URL, which is what the JavaScript HTTP exporters send.
const HTTP_PROTOCOLS = new Set(['http/json', 'http/protobuf']);

type Env = Readonly<Record<string, string | undefined>>;

/** A variable's value, trimmed; undefined when unset or blank (the spec treats empty as unset). */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parseUrl(variable: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(variable, raw, 'an http:// or https:// URL such as http://localhost:4318');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(variable, raw, 'an http:// or https:// URL such as http://localhost:4318');
  }
  return url;
}

/** Parses `key1=value1,key2=value2` (values URL-encoded, W3C baggage style) into a record. */
function parseHeaders(variable: string, raw: string | undefined, into: Record<string, string>): void {
  if (raw === undefined) return;
  for (const item of raw.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    let key = '';
    let value = '';
    try {
      key = decodeURIComponent(item.slice(0, eq).trim());
      value = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      key = '';
    }
    // Header values usually carry secrets: the refused value is never echoed.
    if (eq <= 0 || key === '' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key) || /[\0\r\n]/.test(value)) {
      throw new ConfigurationError(variable, '(hidden)', 'comma-separated key=value pairs (URL-encoded), e.g. api-key=secret');
    }
    into[key] = value;
  }
}

function parseTimeout(variable: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n <= 0) {
    throw new ConfigurationError(variable, raw, 'a whole number of milliseconds > 0');
  }
  return n;
}

/**
 * The OTLP/HTTP endpoint of `signal` from the standard variables, or null when OTLP is off.
 *
 * - `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT` is used as given; else `OTEL_EXPORTER_OTLP_ENDPOINT`
 *   with `/v1/<signal>` appended; neither set means no export.
 * - Headers: `OTEL_EXPORTER_OTLP_HEADERS` then `OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS` (wins per key).
 * - Timeout: `OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT`, else `OTEL_EXPORTER_OTLP_TIMEOUT` (ms).
 * - `OTEL_SDK_DISABLED=true` or `OTEL_<SIGNAL>_EXPORTER=none` switch it off.
 * - `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` (metrics): `cumulative`, `delta` or `lowmemory`.
 * - `OTEL_EXPORTER_OTLP[_<SIGNAL>]_PROTOCOL` may be `http/json` or `http/protobuf` (payloads are
 *   JSON either way); `grpc` is refused, as this package has no gRPC exporter.
 *
 * Throws {@link ConfigurationError} naming the variable on a malformed value.
 */
export function otlpEndpoint(env: Env, signal: OtlpSignal): OtlpEndpoint | null {
  const upper = signal.toUpperCase();
  if (read(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return null;
  if (read(env, `OTEL_${upper}_EXPORTER`)?.toLowerCase() === 'none') return null;

  const specificVar = `OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`;
  const specific = read(env, specificVar);
  const generic = read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  let url: string;
  if (specific !== undefined) {
    url = parseUrl(specificVar, specific).href;
  } else if (generic !== undefined) {
    const base = parseUrl('OTEL_EXPORTER_OTLP_ENDPOINT', generic).href;
    url = `${base.endsWith('/') ? base : `${base}/`}${PATHS[signal]}`;
  } else {
    return null;
  }

  for (const variable of [`OTEL_EXPORTER_OTLP_${upper}_PROTOCOL`, 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const protocol = read(env, variable);
    if (protocol === undefined) continue;
    if (!HTTP_PROTOCOLS.has(protocol))
      throw new ConfigurationError(variable, protocol, 'http/json or http/protobuf (gRPC is not supported)');
    break;
  }

  const headers: Record<string, string> = {};
  parseHeaders('OTEL_EXPORTER_OTLP_HEADERS', read(env, 'OTEL_EXPORTER_OTLP_HEADERS'), headers);
  parseHeaders(`OTEL_EXPORTER_OTLP_${upper}_HEADERS`, read(env, `OTEL_EXPORTER_OTLP_${upper}_HEADERS`), headers);

  const specificTimeoutVar = `OTEL_EXPORTER_OTLP_${upper}_TIMEOUT`;
  const timeoutMillis =
    parseTimeout(specificTimeoutVar, read(env, specificTimeoutVar)) ??
    parseTimeout('OTEL_EXPORTER_OTLP_TIMEOUT', read(env, 'OTEL_EXPORTER_OTLP_TIMEOUT')) ??
    DEFAULT_TIMEOUT_MILLIS;

  let temporality: OtlpTemporality = 'cumulative';
  const preference = signal === 'metrics' ? read(env, TEMPORALITY_VARIABLE)?.toLowerCase() : undefined;
  if (preference !== undefined) {
    if (!(TEMPORALITIES as readonly string[]).includes(preference))
      throw new ConfigurationError(TEMPORALITY_VARIABLE, preference, 'cumulative, delta or lowmemory');
    temporality = preference as OtlpTemporality;
  }

  return Object.freeze({ url, headers: Object.freeze(headers), timeoutMillis, temporality });
}
