// The configuration the CLI commands share (POSEIDON_* variables, then flags), and the monitor `db cleanup` writes through.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Clock } from '../../clock.js';
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

/** `--db`, as every command that reads or cleans up history takes it. */
export const DB_OPTION = ['--db <file>', 'SQLite file (default: POSEIDON_DB_URL, else ./poseidon_metrics.db)'] as const;
/** `--bot`, as every command that reads one bot's history takes it. */
export const BOT_OPTION = [
  '--bot <name>',
  "this bot's history in a store several bots share (default: POSEIDON_BOT_NAME, else the host name)",
] as const;

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

/**
 * A started monitor over an existing database, for `db cleanup` (the one command that writes
 * history; the others read it through a read-only reader). Its own retention is pushed out to the
 * maximum: only the cleanup asked for deletes anything.
 */
export async function openHistory(flags: ConnectionFlags, clock: Clock): Promise<MonitoringSystem> {
  const config = configFrom(flags, {
    enableMetricsServer: false,
    metricsRetentionDays: 36_500,
    // Deleting old rows must not be refused while the bot appends new ones under its bot name.
    writerLease: false,
    installSignalHandlers: false,
    clock,
    logConsole: false,
    // A command writes nothing but its output: no log file unless one is asked for.
    ...(process.env.POSEIDON_LOG_FILE !== undefined ? {} : { logFile: null }),
  });
  requireExistingDatabase(config);
  const monitor = new MonitoringSystem(config);
  await monitor.start();
  return monitor;
}
