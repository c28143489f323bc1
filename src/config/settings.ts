// The configuration table: every setting declared once; the options type, the config's fields, the environment parsing and the docs table derive from it.

import { hostname } from 'node:os';
import type { Clock } from '../clock.js';
import { LogLevel, OutputFormat, StorageBackend } from './enums.js';

export type Kind =
  | 'enum'
  | 'boolean'
  | 'int'
  | 'number'
  | 'string'
  | 'nullableString'
  | 'size'
  | 'host'
  | 'dbUrl'
  | 'redisUrl'
  | 'webhooks'
  | 'label';

/** One setting: its option key, its variable, how its text is parsed and checked, its default. `T` is its value's type. */
export interface Setting<K extends string = string, T = unknown> {
  readonly key: K;
  readonly env: string;
  readonly kind: Kind;
  readonly def: T;
  /** A default computed when the configuration is built (it replaces `def`), and how the docs name it. */
  readonly computedDefault?: { readonly text: string; compute(context: DefaultContext): T };
  readonly values?: readonly string[];
  /** Enum values a user may name that this version refuses, with the reason. */
  readonly unavailable?: Readonly<Record<string, string>>;
  readonly min?: number;
  readonly max?: number;
  /** Why `max` is where it is, for the error message. */
  readonly maxReason?: string;
  /** Never shown: hidden in errors, redacted by `toJSON()`. */
  readonly secret?: boolean;
  /** The empty string is refused. */
  readonly nonEmpty?: boolean;
  readonly description: string;
}

/** What a computed default may depend on: the configuration's other inputs. */
export interface DefaultContext {
  /** True when the monitor runs on the system clock, false with an injected (manual, scaled) one. */
  readonly realTime: boolean;
}

/** Pins a setting's value type, so the options and the fields derived from the table are typed. */
const typed =
  <T>() =>
  <K extends string>(s: Setting<K, T>): Setting<K, T> =>
    s;

const bool = <K extends string>(key: K, env: string, description: string): Setting<K, boolean> => ({
  key,
  env,
  kind: 'boolean',
  def: true,
  description,
});

/** The host name, trimmed to a valid label: the default bot name. */
function defaultBotName(): string {
  const name = hostname()
    .replace(/[^A-Za-z0-9._:/-]/g, '_')
    .slice(0, 64);
  return name.length > 0 ? name : 'poseidon-bot';
}

/** Every setting, in documentation order. */
export const SETTINGS = [
  typed<LogLevel>()({
    key: 'logLevel',
    env: 'POSEIDON_LOG_LEVEL',
    kind: 'enum',
    def: LogLevel.INFO,
    values: Object.values(LogLevel),
    description: 'Lowest level written to the log',
  }),
  typed<OutputFormat>()({
    key: 'logFormat',
    env: 'POSEIDON_LOG_FORMAT',
    kind: 'enum',
    def: OutputFormat.JSON,
    values: Object.values(OutputFormat),
    description: 'Log format: JSON lines, text lines, or both',
  }),
  typed<string | null>()({
    key: 'logFile',
    env: 'POSEIDON_LOG_FILE',
    kind: 'nullableString',
    def: 'logs/poseidon_monitor.log',
    description: 'Log file path (empty: stdout only)',
  }),
  typed<number>()({
    key: 'logMaxSizeBytes',
    env: 'POSEIDON_LOG_MAX_SIZE',
    kind: 'size',
    def: 10 * 1024 * 1024,
    min: 1024,
    description: 'Rotate the log file at this size (bytes, or 10MB, 512KB, 1GB)',
  }),
  typed<number>()({
    key: 'logBackupCount',
    env: 'POSEIDON_LOG_BACKUP_COUNT',
    kind: 'int',
    def: 5,
    min: 0,
    max: 1000,
    description: 'Rotated log files kept',
  }),
  typed<number>()({
    key: 'metricsIntervalSeconds',
    env: 'POSEIDON_METRICS_INTERVAL',
    kind: 'number',
    def: 60,
    min: 0.1,
    max: 86_400,
    description: 'Seconds between system metric samples (`POSEIDON_SYSTEM_METRICS`) and between OTLP metric exports',
  }),
  typed<number>()({
    key: 'metricsRetentionDays',
    env: 'POSEIDON_METRICS_RETENTION_DAYS',
    kind: 'number',
    def: 30,
    min: 0.001,
    max: 36_500,
    description: 'Days of history kept in storage',
  }),
  bool('enableHourlyGrowth', 'POSEIDON_HOURLY_GROWTH', 'Snapshot the account balance at every UTC hour'),
  typed<number>()({
    key: 'dashboardRefreshSeconds',
    env: 'POSEIDON_DASHBOARD_REFRESH',
    kind: 'number',
    def: 30,
    min: 1,
    max: 86_400,
    description: 'Auto-refresh of the Grafana dashboards, seconds (applied by npm run dashboards)',
  }),
  typed<number>()({
    key: 'maxDataPoints',
    env: 'POSEIDON_MAX_DATA_POINTS',
    kind: 'int',
    def: 10_000,
    min: 1,
    max: 10_000_000,
    description: 'Events kept in the in-memory ring',
  }),
  typed<StorageBackend>()({
    key: 'storage',
    env: 'POSEIDON_STORAGE',
    kind: 'enum',
    def: StorageBackend.SQLITE,
    values: Object.values(StorageBackend),
    description: 'History backend',
  }),
  typed<string>()({
    key: 'dbUrl',
    env: 'POSEIDON_DB_URL',
    kind: 'dbUrl',
    def: 'sqlite:///poseidon_metrics.db',
    description: 'SQLite database (sqlite:///relative.db, sqlite:////absolute.db, sqlite::memory:)',
  }),
  bool('enablePerformanceMonitoring', 'POSEIDON_PERFORMANCE_MONITORING', 'Record performance metrics'),
  bool('enableLoopMonitoring', 'POSEIDON_LOOP_MONITORING', 'Record trading-loop executions'),
  bool('enableTradeTracking', 'POSEIDON_TRACK_TRADES', 'Record trades'),
  bool('enableDetailedTradeLogs', 'POSEIDON_DETAILED_TRADES', 'Log every trade at INFO with all fields (off: DEBUG)'),
  bool('enableLiquidityTracking', 'POSEIDON_LIQUIDITY_TRACKING', 'Record liquidity snapshots'),
  typed<number>()({
    key: 'liquidityIntervalMinutes',
    env: 'POSEIDON_LIQUIDITY_INTERVAL',
    kind: 'number',
    def: 15,
    min: 0.01,
    max: 1_440,
    description: 'Minutes between expected liquidity snapshots (as the seed: minutes, default 15)',
  }),
  bool('enableErrorTracking', 'POSEIDON_ERROR_TRACKING', 'Record errors'),
  bool('enableCriticalAlerts', 'POSEIDON_CRITICAL_ALERTS', 'Critical errors log at CRITICAL and fire the critical-alert path'),
  typed<boolean>()({
    key: 'writerLease',
    env: 'POSEIDON_WRITER_LEASE',
    kind: 'boolean',
    def: true,
    description:
      "Refuse to start while another live process writes this bot name to the same SQLite file; `false` lets a second process write beside it (the CLI's `db cleanup` sets it; the CLI's reading commands open the file read-only and take no lease)",
  }),
  typed<boolean>()({
    key: 'enableSystemMetrics',
    env: 'POSEIDON_SYSTEM_METRICS',
    kind: 'boolean',
    def: true,
    // Samples describe the real process; on a simulated clock they would be stamped with simulated times.
    computedDefault: { text: 'true on the system clock, false with an injected clock', compute: ({ realTime }) => realTime },
    description:
      'Record CPU, memory, network bytes, database size and processes every `POSEIDON_METRICS_INTERVAL` as performance metrics (with `POSEIDON_PERFORMANCE_MONITORING`)',
  }),
  typed<string>()({
    key: 'metricsHost',
    env: 'POSEIDON_METRICS_HOST',
    kind: 'host',
    def: '127.0.0.1',
    description: 'Interface the HTTP server binds to',
  }),
  typed<number>()({
    key: 'metricsPort',
    env: 'POSEIDON_METRICS_PORT',
    kind: 'int',
    def: 9464,
    min: 0,
    max: 65_535,
    description: 'HTTP port (0 picks a free one; see monitor.metricsUrl)',
  }),
  bool('enableMetricsServer', 'POSEIDON_METRICS_SERVER', 'Serve /metrics and the JSON API over HTTP'),
  typed<string | null>()({
    key: 'apiToken',
    env: 'POSEIDON_API_TOKEN',
    kind: 'nullableString',
    def: null,
    min: 16,
    secret: true,
    description: 'Bearer token required on /metrics and /api/* (at least 16 characters)',
  }),
  typed<number>()({
    key: 'apiMaxConcurrentRequests',
    env: 'POSEIDON_API_MAX_CONCURRENT',
    kind: 'int',
    def: 8,
    min: 1,
    max: 1000,
    description: 'JSON API requests answered at once; more are refused with 503 and `Retry-After`',
  }),
  typed<number>()({
    key: 'flushIntervalMs',
    env: 'POSEIDON_FLUSH_INTERVAL_MS',
    kind: 'int',
    def: 1000,
    min: 10,
    max: 3_600_000,
    description: 'Milliseconds between writes of buffered history',
  }),
  typed<number>()({
    key: 'maxSymbols',
    env: 'POSEIDON_MAX_SYMBOLS',
    kind: 'int',
    def: 100,
    min: 1,
    max: 10_000,
    maxReason: 'every symbol adds series to each /metrics scrape; past 10,000 a scrape takes tens of MB and seconds',
    description: 'Distinct symbols used as metric labels before `__other__`',
  }),
  typed<string | null>()({
    key: 'webhookUrls',
    env: 'POSEIDON_WEBHOOK_URLS',
    kind: 'webhooks',
    def: null,
    secret: true,
    description: 'Webhooks notified of critical errors (and hourly reports): comma-separated [json=|telegram=|discord=]URL',
  }),
  typed<string>()({
    key: 'botName',
    env: 'POSEIDON_BOT_NAME',
    kind: 'label',
    def: '',
    computedDefault: { text: 'the host name', compute: defaultBotName },
    nonEmpty: true,
    description: 'Bot name: `bot` label on every metric, field of every log record and DB row',
  }),
  typed<string>()({
    key: 'strategy',
    env: 'POSEIDON_STRATEGY',
    kind: 'label',
    def: '',
    description: 'Strategy name: `strategy` label (optional)',
  }),
  typed<string>()({
    key: 'exchange',
    env: 'POSEIDON_EXCHANGE',
    kind: 'label',
    def: '',
    description: 'Exchange name: `exchange` label (optional)',
  }),
  typed<boolean>()({
    key: 'enableHourlyNotifications',
    env: 'POSEIDON_NOTIFY_HOURLY',
    kind: 'boolean',
    def: false,
    description: 'Also post an hourly report (growth, P&L, trades, errors) to the webhooks',
  }),
  typed<number>()({
    key: 'storeMaxBufferRows',
    env: 'POSEIDON_STORE_MAX_BUFFER',
    kind: 'int',
    def: 100_000,
    min: 100,
    max: 10_000_000,
    description: 'History rows buffered while storage is failing; more are dropped and counted',
  }),
  typed<'normal' | 'full'>()({
    key: 'dbSynchronous',
    env: 'POSEIDON_DB_SYNCHRONOUS',
    kind: 'enum',
    def: 'normal',
    values: ['normal', 'full'],
    description: 'SQLite synchronous mode: normal (a power loss may undo the last commits) or full',
  }),
  typed<boolean>()({
    key: 'installSignalHandlers',
    env: 'POSEIDON_SIGNAL_HANDLERS',
    kind: 'boolean',
    def: false,
    description: 'Flush history on SIGTERM/SIGINT, then let the signal end the process',
  }),
  bool('logConsole', 'POSEIDON_LOG_CONSOLE', 'Also write log lines to stdout (off: the log file and OTLP only)'),
  typed<string>()({
    key: 'storagePath',
    env: 'POSEIDON_STORAGE_PATH',
    kind: 'string',
    def: './poseidon_history',
    description: 'Directory of the JSON Lines files of file storage (one file per table per UTC day)',
  }),
  typed<string>()({
    key: 'redisUrl',
    env: 'POSEIDON_REDIS_URL',
    kind: 'redisUrl',
    def: 'redis://127.0.0.1:6379/0',
    secret: true,
    description: 'Redis of redis storage: redis://[user:password@]host:port/db, or rediss:// for TLS',
  }),
  typed<string>()({
    key: 'redisPrefix',
    env: 'POSEIDON_REDIS_PREFIX',
    kind: 'label',
    def: 'poseidon',
    nonEmpty: true,
    description: 'First part of every key redis storage writes (`<prefix>:{<bot>}:…`), to share a Redis with other data',
  }),
] as const;

/** Any one setting of the table. */
export type AnySetting = (typeof SETTINGS)[number];
type SettingKey = AnySetting['key'];
type ValueOf<S> = S extends Setting<string, infer T> ? T : never;
type SettingOf<K extends SettingKey> = Extract<AnySetting, { readonly key: K }>;

/** Every setting's resolved value: the frozen fields of a configuration. */
export type SettingValues = { readonly [K in SettingKey]: ValueOf<SettingOf<K>> };

// An enum option may be given as the enum member or as its string.
type Loose<T> = T extends string ? T | `${T}` : T;

/** Options accepted by `MonitoringConfig`; each falls back to its `POSEIDON_*` variable, then its default (see the configuration docs). */
export type MonitoringConfigOptions = { [K in SettingKey]?: Loose<ValueOf<SettingOf<K>>> } & {
  /** The clock every timestamp and timer comes from. @default the system clock */
  clock?: Clock;
};

/** The variables of the original seed (the first 20) and the ones this package adds. */
export const ENV_VARIABLES: readonly string[] = SETTINGS.map((s) => s.env);
