// The standard OTEL_EXPORTER_OTLP_* variables: endpoint, headers, timeout, protocol and the off switches.

import { describe, expect, it } from 'vitest';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { ConfigurationError } from '../../src/errors.js';
import { otlpEndpoint } from '../../src/telemetry/otlpEndpoint.js';

describe('otlpEndpoint', () => {
  it('is null when no endpoint variable is set', () => {
    expect(otlpEndpoint({}, 'metrics')).toBeNull();
    expect(otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, 'logs')).toBeNull();
  });

  it('appends /v1/<signal> to the generic endpoint, with or without a trailing slash or base path', () => {
    expect(otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'metrics')?.url).toBe('http://collector:4318/v1/metrics');
    expect(otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'logs')?.url).toBe('http://collector:4318/v1/logs');
    expect(otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example/base' }, 'metrics')?.url).toBe(
      'https://otel.example/base/v1/metrics',
    );
  });

  it('uses the signal-specific endpoint as given, over the generic one', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m:9999/custom/path' };
    expect(otlpEndpoint(env, 'metrics')?.url).toBe('http://m:9999/custom/path');
    expect(otlpEndpoint(env, 'logs')?.url).toBe('http://generic:4318/v1/logs');
  });

  it('merges headers, the signal-specific ones winning, values URL-decoded', () => {
    const e = otlpEndpoint(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=generic, x-team=bots',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'api-key=spec%20ific',
      },
      'metrics',
    );
    expect(e?.headers).toEqual({ 'api-key': 'spec ific', 'x-team': 'bots' });
    expect(e?.timeoutMillis).toBe(10_000);
  });

  it('reads the timeout, signal-specific first', () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TIMEOUT: '5000' };
    expect(otlpEndpoint(base, 'metrics')?.timeoutMillis).toBe(5000);
    expect(otlpEndpoint({ ...base, OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '750' }, 'metrics')?.timeoutMillis).toBe(750);
  });

  it('is switched off by OTEL_SDK_DISABLED and OTEL_<SIGNAL>_EXPORTER=none', () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(otlpEndpoint({ ...base, OTEL_SDK_DISABLED: 'true' }, 'metrics')).toBeNull();
    expect(otlpEndpoint({ ...base, OTEL_METRICS_EXPORTER: 'none' }, 'metrics')).toBeNull();
    expect(otlpEndpoint({ ...base, OTEL_METRICS_EXPORTER: 'none' }, 'logs')).not.toBeNull();
  });

  it('refuses malformed values, naming the variable and never echoing header secrets', () => {
    const refused = (env: Record<string, string>, field: string) => {
      try {
        otlpEndpoint(env, 'metrics');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        expect((error as ConfigurationError).field).toBe(field);
        return error as ConfigurationError;
      }
      throw new Error(`accepted ${JSON.stringify(env)}`);
    };
    refused({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    refused({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'ftp://c/v1/metrics' }, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
    refused({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TIMEOUT: '-1' }, 'OTEL_EXPORTER_OTLP_TIMEOUT');
    refused({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL');
    const secret = refused(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'novalue-secret123' },
      'OTEL_EXPORTER_OTLP_HEADERS',
    );
    expect(secret.message).not.toContain('secret123');
    expect(
      otlpEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, 'metrics'),
    ).not.toBeNull();
  });

  it('is parsed by MonitoringConfig from the env record it was built from', () => {
    const config = MonitoringConfig.fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_HEADERS: 'k=v' });
    expect(config.otlpMetrics).toEqual({
      url: 'http://127.0.0.1:4318/v1/metrics',
      headers: { k: 'v' },
      timeoutMillis: 10_000,
      temporality: 'cumulative',
    });
    expect(config.otlpLogs?.url).toBe('http://127.0.0.1:4318/v1/logs');
    expect(new MonitoringConfig({}).otlpMetrics).toBeNull();
    expect(() => MonitoringConfig.fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'nope' })).toThrow(ConfigurationError);
  });
  it('reads the metrics temporality preference, and refuses one it does not know, naming the variable', () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    const variable = 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE';
    expect(otlpEndpoint(base, 'metrics')?.temporality).toBe('cumulative');
    expect(otlpEndpoint({ ...base, [variable]: ' Delta ' }, 'metrics')?.temporality).toBe('delta');
    expect(otlpEndpoint({ ...base, [variable]: 'lowmemory' }, 'metrics')?.temporality).toBe('lowmemory');
    // Logs have no temporality: the variable is not theirs to refuse.
    expect(otlpEndpoint({ ...base, [variable]: 'sometimes' }, 'logs')?.temporality).toBe('cumulative');
    expect(() => otlpEndpoint({ ...base, [variable]: 'sometimes' }, 'metrics')).toThrow(ConfigurationError);
    expect(() => otlpEndpoint({ ...base, [variable]: 'sometimes' }, 'metrics')).toThrow(new RegExp(variable));
  });
});
