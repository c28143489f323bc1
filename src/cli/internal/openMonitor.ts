// How CLI commands build their MonitoringSystem: POSEIDON_* variables, then the command's flags.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Clock, ManualClock } from '../../clock.js';
import { MonitoringConfig, type MonitoringConfigOptions } from '../../config/MonitoringConfig.js';
import { ConfigurationError } from '../../errors.js';
import { MonitoringSystem } from '../../MonitoringSystem.js';
import { UsageError } from './UsageError.js';

/** Flags every command that touches the database or the server understands. */
export interface ConnectionFlags {
  /** SQLite file; wins over POSEIDON_DB_URL. */
  db?: string;
  /** Bot whose history is read or written; wins over POSEIDON_BOT_NAME. */
  bot?: string;
  host?: string;
  port?: number;
  logFile?: string;
}

/** `sqlite:///` URL of a file path; a relative path is taken from the working directory. */
export function dbUrlOf(path: string): string {
  // resolve() yields an absolute path, so the URL has the four slashes of an absolute location.
  return `sqlite:///${resolve(path)}`;
}

/** The configuration from `env` with the flags on top; a bad variable or flag is a {@link UsageError}. */
export function configFrom(flags: ConnectionFlags, extra: MonitoringConfigOptions = {}, env = process.env): MonitoringConfig {
  const options: MonitoringConfigOptions = { ...extra };
  if (flags.db !== undefined) options.dbUrl = dbUrlOf(flags.db);
  if (flags.bot !== undefined) options.botName = flags.bot;
  if (flags.host !== undefined) options.metricsHost = flags.host;
  if (flags.port !== undefined) options.metricsPort = flags.port;
  if (flags.logFile !== undefined) options.logFile = flags.logFile === '' ? null : flags.logFile;
  try {
    return MonitoringConfig.fromEnv(env, options);
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError(error.message);
    throw error;
  }
}

/** Where the configured database is, for messages; `:memory:` for an in-memory one. */
export function databaseDescription(config: MonitoringConfig): string {
  if (config.storage === 'file') return `file storage in ${resolve(config.storagePath)}`;
  if (config.storage !== 'sqlite') return `${config.storage} storage`;
  const location = config.databaseLocation;
  return location.kind === 'memory' ? ':memory:' : resolve(location.path);
}

/** Commands that read history refuse to start on a database that does not exist (they would create an empty one). */
export function requireExistingDatabase(config: MonitoringConfig): void {
  if (config.storage !== 'sqlite') return;
  const location = config.databaseLocation;
  if (location.kind === 'file' && !existsSync(location.path)) {
    throw new UsageError(
      `no database at ${resolve(location.path)}: run "poseidon-monitor demo" first, or point --db (or POSEIDON_DB_URL) at an existing file`,
    );
  }
}

/** Options of {@link openHistory}. */
export interface OpenHistoryOptions {
  /** Serve /metrics and the API. @default false */
  server?: boolean;
  /** The clock to use. @default a manual clock at the current time, moved only by the command */
  clock?: Clock;
}

/**
 * A started monitor over an existing database, for the commands that read it. Retention is pushed
 * out to its maximum so looking at history never deletes any (`db cleanup` does that explicitly).
 */
export async function openHistory(flags: ConnectionFlags, options: OpenHistoryOptions = {}): Promise<MonitoringSystem> {
  const config = configFrom(flags, {
    enableMetricsServer: options.server ?? false,
    metricsRetentionDays: 36_500,
    // Looking at a running bot's history must not be refused for holding its bot name.
    writerLease: false,
    installSignalHandlers: false,
    clock: options.clock ?? new ManualClock(Date.now()),
    // stdout carries the command's own output (tables, JSON); `serve` logs there only when asked to.
    ...(options.server && process.env.POSEIDON_LOG_CONSOLE !== undefined ? {} : { logConsole: false }),
    // A command that only reads history writes nothing but its output: no log file unless one is asked for.
    ...(options.server || process.env.POSEIDON_LOG_FILE !== undefined ? {} : { logFile: null }),
  });
  requireExistingDatabase(config);
  const monitor = new MonitoringSystem(config);
  await monitor.start();
  return monitor;
}

/** The newest timestamp stored in any history table, or null for an empty database. */
export function latestActivity(monitor: MonitoringSystem): number | null {
  const c = monitor.metricsCollector;
  const newest = [
    c.getTradeMetrics({ limit: 1 })[0]?.timestamp,
    c.getLoopExecutions({ limit: 1 })[0]?.timestamp,
    c.getErrors({ limit: 1 })[0]?.timestamp,
    c.getGrowthMetrics({ limit: 1 })[0]?.timestamp,
    c.getPerformanceMetrics({ limit: 1 })[0]?.timestamp,
    c.getLiquidityMetrics({ limit: 1 })[0]?.timestamp,
  ].filter((t): t is number => t !== undefined);
  return newest.length === 0 ? null : Math.max(...newest);
}
