// MonitoringConfig: every setting of the table, resolved once as explicit option → POSEIDON_* variable → default, and frozen.

import { type Clock, systemClock } from '../clock.js';
import { ConfigurationError } from '../errors.js';
import { parseWebhookUrls, type WebhookTarget } from '../notify/webhookFormats.js';
import { type OtlpEndpoint, otlpEndpoint } from '../telemetry/otlpEndpoint.js';
import { check, type DatabaseLocation, parseDbUrl, parseEnv } from './parseSetting.js';
import { type MonitoringConfigOptions, SETTINGS, type Setting, type SettingValues } from './settings.js';

export { configurationMarkdown } from './configurationMarkdown.js';
export { type DatabaseLocation, parseDbUrl } from './parseSetting.js';
export { ENV_VARIABLES, type MonitoringConfigOptions, SETTINGS } from './settings.js';

/** Each setting's value: the explicit option, else its variable in `env`, else its default. */
function resolveSettings(options: MonitoringConfigOptions, env: EnvRecord): SettingValues {
  const values: Record<string, unknown> = {};
  for (const s of SETTINGS as readonly Setting[]) {
    const key = s.key as keyof MonitoringConfigOptions;
    const given = options[key];
    const raw = env[s.env];
    if (given !== undefined) values[s.key] = check(s, given, s.key);
    else if (raw !== undefined) values[s.key] = check(s, parseEnv(s, raw), s.env);
    else values[s.key] = s.computedDefault === undefined ? s.def : s.computedDefault.compute();
  }
  return values as SettingValues;
}

/** A plain record of environment variables, like `process.env`. */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

// The fields are declared once, in the settings table, and assigned by the constructor.
export interface MonitoringConfig extends SettingValues {}

/**
 * The monitor's configuration, resolved once and immutable. Each value comes from the explicit
 * option, else its `POSEIDON_*` variable (with {@link MonitoringConfig.fromEnv}), else the default.
 * An invalid value throws {@link ConfigurationError} naming the option or variable.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above only names the fields the constructor assigns from SETTINGS
export class MonitoringConfig {
  readonly clock: Clock;
  /** OTLP/HTTP metrics export, from the standard OTEL_EXPORTER_OTLP_* variables of `env`; null when off. */
  readonly otlpMetrics: OtlpEndpoint | null;
  /** OTLP/HTTP logs export, from the standard OTEL_EXPORTER_OTLP_* variables of `env`; null when off. */
  readonly otlpLogs: OtlpEndpoint | null;

  constructor(options: MonitoringConfigOptions = {}, env: EnvRecord = {}) {
    if (typeof options !== 'object' || options === null) throw new ConfigurationError('options', options, 'an object');
    const known = new Set<string>([...SETTINGS.map((s) => s.key), 'clock']);
    for (const key of Object.keys(options)) {
      if (!known.has(key))
        throw new ConfigurationError(key, (options as Record<string, unknown>)[key], `a known option (${[...known].join(', ')})`);
    }
    Object.assign(this, resolveSettings(options, env));
    const clock = options.clock ?? systemClock;
    if (typeof clock?.now !== 'function' || typeof clock.setTimeout !== 'function' || typeof clock.clearTimeout !== 'function') {
      throw new ConfigurationError('clock', clock, 'an object with now(), setTimeout() and clearTimeout()');
    }
    this.clock = clock;
    this.otlpMetrics = otlpEndpoint(env, 'metrics');
    this.otlpLogs = otlpEndpoint(env, 'logs');
    Object.freeze(this);
  }

  /**
   * Reads every `POSEIDON_*` variable from `env` (default `process.env`); `overrides` win over
   * variables. Throws {@link ConfigurationError} naming the first invalid variable.
   */
  static fromEnv(env: EnvRecord = process.env, overrides: MonitoringConfigOptions = {}): MonitoringConfig {
    return new MonitoringConfig(overrides, env);
  }

  /** The webhooks parsed from `webhookUrls` (empty when unset). */
  get webhookTargets(): WebhookTarget[] {
    return this.webhookUrls === null ? [] : parseWebhookUrls('webhookUrls', this.webhookUrls);
  }

  /** Where the SQLite database lives, parsed from `dbUrl`. */
  get databaseLocation(): DatabaseLocation {
    return parseDbUrl('dbUrl', this.dbUrl);
  }

  /** The settings as a plain object, with secrets hidden: safe to log. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const s of SETTINGS) {
      const value = this[s.key];
      out[s.key] = s.secret && value !== null ? '[REDACTED]' : value;
    }
    return out;
  }
}
