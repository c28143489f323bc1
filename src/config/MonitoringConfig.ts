// MonitoringConfig: every setting, resolved once as explicit option → POSEIDON_* variable → default.

import { hostname } from 'node:os';
import { type Clock, systemClock } from '../clock.js';
import { ConfigurationError } from '../errors.js';
import { parseWebhookUrls, type WebhookTarget } from '../notify/webhookFormats.js';
import { type OtlpEndpoint, otlpEndpoint } from '../telemetry/otlpEndpoint.js';
import { LogLevel, OutputFormat, StorageBackend } from './enums.js';

/** Options accepted by {@link MonitoringConfig}; each falls back to its `POSEIDON_*` variable, then its default. */
export interface MonitoringConfigOptions {
  /** @default LogLevel.INFO (POSEIDON_LOG_LEVEL) */
  logLevel?: LogLevel | `${LogLevel}`;
  /** @default OutputFormat.JSON (POSEIDON_LOG_FORMAT) */
  logFormat?: OutputFormat | `${OutputFormat}`;
  /** Log file path; `null` logs to stdout only. @default 'logs/poseidon_monitor.log' (POSEIDON_LOG_FILE; empty = none) */
  logFile?: string | null;
  /** Rotate the log file at this size. @default 10 MiB (POSEIDON_LOG_MAX_SIZE: bytes, or 10MB / 512KB / 1GB) */
  logMaxSizeBytes?: number;
  /** Rotated files kept. @default 5 (POSEIDON_LOG_BACKUP_COUNT) */
  logBackupCount?: number;
  /** How often runtime and host metrics are sampled. @default 60 (POSEIDON_METRICS_INTERVAL, seconds) */
  metricsIntervalSeconds?: number;
  /** History older than this is deleted. @default 30 (POSEIDON_METRICS_RETENTION_DAYS) */
  metricsRetentionDays?: number;
  /** Snapshot the balance at every UTC hour. @default true (POSEIDON_HOURLY_GROWTH) */
  enableHourlyGrowth?: boolean;
  /** Refresh hint for dashboards. @default 30 (POSEIDON_DASHBOARD_REFRESH, seconds) */
  dashboardRefreshSeconds?: number;
  /** Size of the in-memory event ring. @default 10000 (POSEIDON_MAX_DATA_POINTS) */
  maxDataPoints?: number;
  /** @default StorageBackend.SQLITE (POSEIDON_STORAGE: sqlite | memory | file) */
  storage?: StorageBackend | `${StorageBackend}`;
  /** Directory of `file` storage's JSON Lines files. @default './poseidon_history' (POSEIDON_STORAGE_PATH) */
  storagePath?: string;
  /** @default 'sqlite:///poseidon_metrics.db' (POSEIDON_DB_URL: sqlite:///relative.db, sqlite:////abs/path.db, sqlite::memory:) */
  dbUrl?: string;
  /** @default true (POSEIDON_PERFORMANCE_MONITORING) */
  enablePerformanceMonitoring?: boolean;
  /** @default true (POSEIDON_LOOP_MONITORING) */
  enableLoopMonitoring?: boolean;
  /** @default true (POSEIDON_TRACK_TRADES) */
  enableTradeTracking?: boolean;
  /** Log every field of every trade (off: trades are logged at DEBUG). @default true (POSEIDON_DETAILED_TRADES) */
  enableDetailedTradeLogs?: boolean;
  /** @default true (POSEIDON_LIQUIDITY_TRACKING) */
  enableLiquidityTracking?: boolean;
  /** How often the bot is expected to report liquidity. @default 300 (POSEIDON_LIQUIDITY_INTERVAL, seconds) */
  liquidityIntervalSeconds?: number;
  /** @default true (POSEIDON_ERROR_TRACKING) */
  enableErrorTracking?: boolean;
  /** Critical errors log at CRITICAL and fire the critical-alert path. @default true (POSEIDON_CRITICAL_ALERTS) */
  enableCriticalAlerts?: boolean;
  /** Interface the HTTP server binds to. @default '127.0.0.1' (POSEIDON_METRICS_HOST) */
  metricsHost?: string;
  /** Port of /metrics and the JSON API; 0 picks a free one. @default 9464 (POSEIDON_METRICS_PORT) */
  metricsPort?: number;
  /** Serve HTTP at all. @default true (POSEIDON_METRICS_SERVER) */
  enableMetricsServer?: boolean;
  /** Bearer token required on /metrics and /api/* when set. @default null (POSEIDON_API_TOKEN) */
  apiToken?: string | null;
  /** How often buffered history is written to storage. @default 1000 (POSEIDON_FLUSH_INTERVAL_MS) */
  flushIntervalMs?: number;
  /** Most distinct symbols used as metric labels; the rest become `__other__`. @default 100 (POSEIDON_MAX_SYMBOLS) */
  maxSymbols?: number;
  /** Webhooks for critical errors and hourly reports: comma-separated `[json=|telegram=|discord=]url`. @default null (POSEIDON_WEBHOOK_URLS) */
  webhookUrls?: string | null;
  /** Also post a report for every closed growth hour. @default false (POSEIDON_NOTIFY_HOURLY) */
  enableHourlyNotifications?: boolean;
  /** Rows the history write buffer holds while storage is failing; more are dropped and counted. @default 100000 (POSEIDON_STORE_MAX_BUFFER) */
  storeMaxBufferRows?: number;
  /** SQLite `synchronous`: `normal` (a power loss may undo the last commits) or `full`. @default 'normal' (POSEIDON_DB_SYNCHRONOUS) */
  dbSynchronous?: 'normal' | 'full';
  /** Flush history on SIGTERM/SIGINT, then let the signal end the process. @default false (POSEIDON_SIGNAL_HANDLERS) */
  installSignalHandlers?: boolean;
  /** Also write log lines to stdout (off: the log file and OTLP only). @default true (POSEIDON_LOG_CONSOLE) */
  logConsole?: boolean;
  /** This bot's name: a label on every metric, a field of every log record and DB row. @default the host name (POSEIDON_BOT_NAME) */
  botName?: string;
  /** Strategy label. @default '' (POSEIDON_STRATEGY) */
  strategy?: string;
  /** Exchange label. @default '' (POSEIDON_EXCHANGE) */
  exchange?: string;
  /** The clock every timestamp and timer comes from. @default the system clock */
  clock?: Clock;
}

type Kind = 'enum' | 'boolean' | 'int' | 'number' | 'string' | 'nullableString' | 'size' | 'host' | 'dbUrl' | 'webhooks' | 'label';

interface Setting {
  readonly key: keyof MonitoringConfigOptions;
  readonly env: string;
  readonly kind: Kind;
  readonly def: unknown;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Why `max` is where it is, for the error message. */
  readonly maxReason?: string;
  readonly description: string;
}

const bool = (key: keyof MonitoringConfigOptions, env: string, description: string): Setting => ({
  key,
  env,
  kind: 'boolean',
  def: true,
  description,
});

/** Every setting, in documentation order. The README's configuration table is checked against it. */
export const SETTINGS: readonly Setting[] = [
  {
    key: 'logLevel',
    env: 'POSEIDON_LOG_LEVEL',
    kind: 'enum',
    def: LogLevel.INFO,
    values: Object.values(LogLevel),
    description: 'Lowest level written to the log',
  },
  {
    key: 'logFormat',
    env: 'POSEIDON_LOG_FORMAT',
    kind: 'enum',
    def: OutputFormat.JSON,
    values: Object.values(OutputFormat),
    description: 'Log format: JSON lines, text lines, or both',
  },
  {
    key: 'logFile',
    env: 'POSEIDON_LOG_FILE',
    kind: 'nullableString',
    def: 'logs/poseidon_monitor.log',
    description: 'Log file path (empty: stdout only)',
  },
  {
    key: 'logMaxSizeBytes',
    env: 'POSEIDON_LOG_MAX_SIZE',
    kind: 'size',
    def: 10 * 1024 * 1024,
    min: 1024,
    description: 'Rotate the log file at this size (bytes, or 10MB, 512KB, 1GB)',
  },
  {
    key: 'logBackupCount',
    env: 'POSEIDON_LOG_BACKUP_COUNT',
    kind: 'int',
    def: 5,
    min: 0,
    max: 1000,
    description: 'Rotated log files kept',
  },
  {
    key: 'metricsIntervalSeconds',
    env: 'POSEIDON_METRICS_INTERVAL',
    kind: 'number',
    def: 60,
    min: 0.1,
    max: 86_400,
    description: 'Seconds between runtime and host metric samples',
  },
  {
    key: 'metricsRetentionDays',
    env: 'POSEIDON_METRICS_RETENTION_DAYS',
    kind: 'number',
    def: 30,
    min: 0.001,
    max: 36_500,
    description: 'Days of history kept in storage',
  },
  bool('enableHourlyGrowth', 'POSEIDON_HOURLY_GROWTH', 'Snapshot the account balance at every UTC hour'),
  {
    key: 'dashboardRefreshSeconds',
    env: 'POSEIDON_DASHBOARD_REFRESH',
    kind: 'number',
    def: 30,
    min: 1,
    max: 86_400,
    description: 'Auto-refresh of the Grafana dashboards, seconds (applied by npm run dashboards)',
  },
  {
    key: 'maxDataPoints',
    env: 'POSEIDON_MAX_DATA_POINTS',
    kind: 'int',
    def: 10_000,
    min: 1,
    max: 10_000_000,
    description: 'Events kept in the in-memory ring',
  },
  {
    key: 'storage',
    env: 'POSEIDON_STORAGE',
    kind: 'enum',
    def: StorageBackend.SQLITE,
    values: Object.values(StorageBackend),
    description: 'History backend',
  },
  {
    key: 'dbUrl',
    env: 'POSEIDON_DB_URL',
    kind: 'dbUrl',
    def: 'sqlite:///poseidon_metrics.db',
    description: 'SQLite database (sqlite:///relative.db, sqlite:////absolute.db, sqlite::memory:)',
  },
  bool('enablePerformanceMonitoring', 'POSEIDON_PERFORMANCE_MONITORING', 'Record performance metrics'),
  bool('enableLoopMonitoring', 'POSEIDON_LOOP_MONITORING', 'Record trading-loop executions'),
  bool('enableTradeTracking', 'POSEIDON_TRACK_TRADES', 'Record trades'),
  bool('enableDetailedTradeLogs', 'POSEIDON_DETAILED_TRADES', 'Log every trade at INFO with all fields (off: DEBUG)'),
  bool('enableLiquidityTracking', 'POSEIDON_LIQUIDITY_TRACKING', 'Record liquidity snapshots'),
  {
    key: 'liquidityIntervalSeconds',
    env: 'POSEIDON_LIQUIDITY_INTERVAL',
    kind: 'number',
    def: 300,
    min: 1,
    max: 86_400,
    description: 'Seconds between expected liquidity snapshots',
  },
  bool('enableErrorTracking', 'POSEIDON_ERROR_TRACKING', 'Record errors'),
  bool('enableCriticalAlerts', 'POSEIDON_CRITICAL_ALERTS', 'Critical errors log at CRITICAL and fire the critical-alert path'),
  { key: 'metricsHost', env: 'POSEIDON_METRICS_HOST', kind: 'host', def: '127.0.0.1', description: 'Interface the HTTP server binds to' },
  {
    key: 'metricsPort',
    env: 'POSEIDON_METRICS_PORT',
    kind: 'int',
    def: 9464,
    min: 0,
    max: 65_535,
    description: 'HTTP port (0 picks a free one; see monitor.metricsUrl)',
  },
  bool('enableMetricsServer', 'POSEIDON_METRICS_SERVER', 'Serve /metrics and the JSON API over HTTP'),
  {
    key: 'apiToken',
    env: 'POSEIDON_API_TOKEN',
    kind: 'nullableString',
    def: null,
    min: 16,
    description: 'Bearer token required on /metrics and /api/* (at least 16 characters)',
  },
  {
    key: 'flushIntervalMs',
    env: 'POSEIDON_FLUSH_INTERVAL_MS',
    kind: 'int',
    def: 1000,
    min: 10,
    max: 3_600_000,
    description: 'Milliseconds between writes of buffered history',
  },
  {
    key: 'maxSymbols',
    env: 'POSEIDON_MAX_SYMBOLS',
    kind: 'int',
    def: 100,
    min: 1,
    max: 10_000,
    maxReason: 'every symbol adds series to each /metrics scrape; past 10,000 a scrape takes tens of MB and seconds',
    description: 'Distinct symbols used as metric labels before `__other__`',
  },
  {
    key: 'webhookUrls',
    env: 'POSEIDON_WEBHOOK_URLS',
    kind: 'webhooks',
    def: null,
    description: 'Webhooks notified of critical errors (and hourly reports): comma-separated [json=|telegram=|discord=]URL',
  },
  {
    key: 'botName',
    env: 'POSEIDON_BOT_NAME',
    kind: 'label',
    def: null,
    description: 'Bot name: `bot` label on every metric, field of every log record and DB row (default: the host name)',
  },
  { key: 'strategy', env: 'POSEIDON_STRATEGY', kind: 'label', def: '', description: 'Strategy name: `strategy` label (optional)' },
  { key: 'exchange', env: 'POSEIDON_EXCHANGE', kind: 'label', def: '', description: 'Exchange name: `exchange` label (optional)' },
  {
    key: 'enableHourlyNotifications',
    env: 'POSEIDON_NOTIFY_HOURLY',
    kind: 'boolean',
    def: false,
    description: 'Also post an hourly report (growth, P&L, trades, errors) to the webhooks',
  },
  {
    key: 'storeMaxBufferRows',
    env: 'POSEIDON_STORE_MAX_BUFFER',
    kind: 'int',
    def: 100_000,
    min: 100,
    max: 10_000_000,
    description: 'History rows buffered while storage is failing; more are dropped and counted',
  },
  {
    key: 'dbSynchronous',
    env: 'POSEIDON_DB_SYNCHRONOUS',
    kind: 'enum',
    def: 'normal',
    values: ['normal', 'full'],
    description: 'SQLite synchronous mode: normal (a power loss may undo the last commits) or full',
  },
  {
    key: 'installSignalHandlers',
    env: 'POSEIDON_SIGNAL_HANDLERS',
    kind: 'boolean',
    def: false,
    description: 'Flush history on SIGTERM/SIGINT, then let the signal end the process',
  },
  bool('logConsole', 'POSEIDON_LOG_CONSOLE', 'Also write log lines to stdout (off: the log file and OTLP only)'),
  {
    key: 'storagePath',
    env: 'POSEIDON_STORAGE_PATH',
    kind: 'string',
    def: './poseidon_history',
    description: 'Directory of the JSON Lines files of file storage (one file per table per UTC day)',
  },
];

/** The variables of the original seed (the first 20) and the ones this package adds. */
export const ENV_VARIABLES: readonly string[] = SETTINGS.map((s) => s.env);

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?$/i;
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};
const LABEL_PATTERN = /^[A-Za-z0-9._:/-]{0,64}$/;
const HOST_PATTERN = /^(?:[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]+)$/;
// `[::1]` is how a URL writes an IPv6 address; a socket must be given `::1`.
const BRACKETED_IPV6 = /^\[([0-9A-Fa-f:.]+)\]$/;

function rangeText(s: Setting, what: string): string {
  const lo = s.min !== undefined ? ` >= ${s.min}` : '';
  const hi = s.max !== undefined ? ` and <= ${s.max}` : '';
  return `${what}${lo}${hi}${s.maxReason ? ` (${s.maxReason})` : ''}`;
}

/** Parses a raw environment string for a setting; throws ConfigurationError naming `field`. */
function parseEnv(s: Setting, raw: string): unknown {
  const text = raw.trim();
  switch (s.kind) {
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      throw new ConfigurationError(s.env, raw, 'true or false (also 1/0, yes/no, on/off)');
    }
    case 'int':
    case 'number': {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
        throw new ConfigurationError(s.env, raw, rangeText(s, s.kind === 'int' ? 'a whole number' : 'a number'));
      }
      return Number(text);
    }
    case 'size': {
      const m = SIZE_PATTERN.exec(text);
      if (!m) throw new ConfigurationError(s.env, raw, 'a size in bytes, or with a unit: 512KB, 10MB, 1GB');
      return Math.round(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]!);
    }
    case 'enum': {
      const match = s.values!.find((v) => v.toLowerCase() === text.toLowerCase());
      if (s.key === 'storage') refuseUnavailableStorage(s.env, raw, match ?? text.toLowerCase());
      if (match !== undefined) return match;
      if (s.key === 'storage') refuseUnavailableStorage(s.env, raw, match ?? text.toLowerCase());
      throw new ConfigurationError(s.env, raw, `one of ${s.values!.join(', ')}`);
    }
    case 'nullableString':
      return text === '' ? null : text;
    default:
      return text;
  }
}

/** Storage kinds named by the seed that this version cannot provide yet: refused where they are configured. */
function refuseUnavailableStorage(field: string, given: unknown, kind: unknown): void {
  if (kind === 'redis') {
    throw new ConfigurationError(field, given, 'sqlite, memory or file (redis storage is not supported yet)');
  }
}

/** Checks a typed value (from an option or a parsed variable); `field` names where it came from. */
function check(s: Setting, value: unknown, field: string): unknown {
  switch (s.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new ConfigurationError(field, value, 'true or false');
      return value;
    case 'int':
    case 'size':
    case 'number': {
      const whole = s.kind !== 'number';
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        (whole && !Number.isSafeInteger(value)) ||
        (s.min !== undefined && value < s.min) ||
        (s.max !== undefined && value > s.max)
      ) {
        throw new ConfigurationError(field, value, rangeText(s, whole ? 'a whole number' : 'a number'));
      }
      return value;
    }
    case 'enum': {
      if (s.key === 'storage') refuseUnavailableStorage(field, value, value);
      if (typeof value !== 'string' || !s.values!.includes(value)) {
        throw new ConfigurationError(field, value, `one of ${s.values!.join(', ')}`);
      }
      return value;
    }
    case 'nullableString':
      if (value === null) return null;
      if (typeof value !== 'string' || value.length === 0 || /[\0\r\n]/.test(value)) {
        throw new ConfigurationError(
          field,
          s.key === 'apiToken' ? '(hidden)' : value,
          'a non-empty string without NUL or line breaks, or null',
        );
      }
      if (s.min !== undefined && value.length < s.min) {
        throw new ConfigurationError(field, s.key === 'apiToken' ? '(hidden)' : value, `a string of at least ${s.min} characters`);
      }
      return value;
    case 'host': {
      const host = typeof value === 'string' ? (BRACKETED_IPV6.exec(value)?.[1] ?? value) : value;
      if (typeof host !== 'string' || !HOST_PATTERN.test(host)) {
        throw new ConfigurationError(field, value, 'a host name or IP address such as 127.0.0.1, 0.0.0.0 or ::1');
      }
      return host;
    }
    case 'dbUrl':
      parseDbUrl(field, value);
      return value;
    case 'label':
      if (typeof value !== 'string' || !LABEL_PATTERN.test(value)) {
        throw new ConfigurationError(
          field,
          value,
          'at most 64 characters of letters, digits, and . _ - : / (may be empty except the bot name)',
        );
      }
      if (s.key === 'botName' && value === '') throw new ConfigurationError(field, value, 'a non-empty name');
      return value;
    case 'string':
      if (typeof value !== 'string' || value.length === 0 || /[\0\r\n]/.test(value))
        throw new ConfigurationError(field, value, 'a non-empty path without NUL or line breaks');
      return value;
    case 'webhooks':
      if (value === null) return null;
      if (typeof value !== 'string')
        throw new ConfigurationError(field, '(hidden)', 'comma-separated [json=|telegram=|discord=]http(s) URLs, or null');
      return parseWebhookUrls(field, value).length === 0 ? null : value;
    default:
      return value;
  }
}

/** Where a SQLite database lives: a file path or `:memory:`. */
export type DatabaseLocation = { readonly kind: 'memory' } | { readonly kind: 'file'; readonly path: string };

/**
 * Parses `sqlite:///relative/path.db` (relative to the working directory),
 * `sqlite:////absolute/path.db` and `sqlite::memory:`; anything else names `field`.
 */
export function parseDbUrl(field: string, url: unknown): DatabaseLocation {
  const accepted = 'sqlite:///relative.db, sqlite:////absolute/path.db or sqlite::memory:';
  if (typeof url !== 'string') throw new ConfigurationError(field, url, accepted);
  if (url === 'sqlite::memory:' || url === 'sqlite:///:memory:') return { kind: 'memory' };
  const prefix = 'sqlite:///';
  if (!url.startsWith(prefix)) throw new ConfigurationError(field, url, accepted);
  const path = url.slice(prefix.length);
  if (path.length === 0 || path.endsWith('/') || /[\0\r\n?#]/.test(path)) throw new ConfigurationError(field, url, accepted);
  return { kind: 'file', path };
}

/** The host name, trimmed to a valid label: the default bot name. */
function defaultBotName(): string {
  const name = hostname()
    .replace(/[^A-Za-z0-9._:/-]/g, '_')
    .slice(0, 64);
  return name.length > 0 ? name : 'poseidon-bot';
}

/** A plain record of environment variables, like `process.env`. */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

/**
 * The monitor's configuration, resolved once and immutable. Each value comes from the explicit
 * option, else its `POSEIDON_*` variable (with {@link MonitoringConfig.fromEnv}), else the default.
 * An invalid value throws {@link ConfigurationError} naming the option or variable.
 */
export class MonitoringConfig {
  readonly logLevel!: LogLevel;
  readonly logFormat!: OutputFormat;
  readonly logFile!: string | null;
  readonly logMaxSizeBytes!: number;
  readonly logBackupCount!: number;
  readonly metricsIntervalSeconds!: number;
  readonly metricsRetentionDays!: number;
  readonly enableHourlyGrowth!: boolean;
  readonly dashboardRefreshSeconds!: number;
  readonly maxDataPoints!: number;
  readonly storage!: StorageBackend;
  readonly storagePath!: string;
  readonly dbUrl!: string;
  readonly enablePerformanceMonitoring!: boolean;
  readonly enableLoopMonitoring!: boolean;
  readonly enableTradeTracking!: boolean;
  readonly enableDetailedTradeLogs!: boolean;
  readonly enableLiquidityTracking!: boolean;
  readonly liquidityIntervalSeconds!: number;
  readonly enableErrorTracking!: boolean;
  readonly enableCriticalAlerts!: boolean;
  readonly metricsHost!: string;
  readonly metricsPort!: number;
  readonly enableMetricsServer!: boolean;
  readonly apiToken!: string | null;
  readonly flushIntervalMs!: number;
  readonly maxSymbols!: number;
  readonly webhookUrls!: string | null;
  readonly botName!: string;
  readonly strategy!: string;
  readonly exchange!: string;
  readonly enableHourlyNotifications!: boolean;
  readonly storeMaxBufferRows!: number;
  readonly dbSynchronous!: 'normal' | 'full';
  readonly installSignalHandlers!: boolean;
  readonly logConsole!: boolean;
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
    const target = this as unknown as Record<string, unknown>;
    for (const s of SETTINGS) {
      const given = options[s.key];
      if (given !== undefined) {
        target[s.key] = check(s, given, s.key);
        continue;
      }
      const raw = env[s.env];
      target[s.key] = raw === undefined ? (s.key === 'botName' ? defaultBotName() : s.def) : check(s, parseEnv(s, raw), s.env);
    }
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

  /** The settings as a plain object, with the API token hidden: safe to log. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const s of SETTINGS) out[s.key] = (this as unknown as Record<string, unknown>)[s.key];
    if (out.apiToken !== null) out.apiToken = '[REDACTED]';
    if (out.webhookUrls !== null) out.webhookUrls = '[REDACTED]';
    return out;
  }
}
