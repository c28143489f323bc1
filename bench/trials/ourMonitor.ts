// Builds the MonitoringSystem the "ours" trials time: every sink on, files in a temp dir.

import { join } from 'node:path';
import { SETTINGS } from '../../src/config/MonitoringConfig.js';
import { LogLevel, type MonitoringConfigOptions, MonitoringSystem, OutputFormat, StorageBackend } from '../../src/index.js';

export interface OurMonitor {
  monitor: MonitoringSystem;
  dbPath: string;
  logPath: string;
  /** Names of the sinks the monitor actually fans out to (the report says what was measured). */
  sinks: string[];
  /** The /metrics URL when the metrics server is up, else null. */
  metricsUrl: string | null;
}

/**
 * JSON log lines to a file, SQLite history in WAL mode, metrics with the HTTP server on a free
 * loopback port, the default event ring. A console switch, when the logging sink offers one, is
 * turned off: a bot in production logs to its file, and the baseline writes no console either.
 */
export async function startOurMonitor(dir: string, overrides: MonitoringConfigOptions = {}): Promise<OurMonitor> {
  const dbPath = join(dir, 'ours.db');
  const logPath = join(dir, 'ours.log');
  const options: MonitoringConfigOptions = {
    logFile: logPath,
    logFormat: OutputFormat.JSON,
    logLevel: LogLevel.INFO,
    storage: StorageBackend.SQLITE,
    dbUrl: `sqlite:///${dbPath}`,
    enableMetricsServer: true,
    metricsHost: '127.0.0.1',
    metricsPort: 0,
    botName: 'bench',
    ...overrides,
  };
  const loose = options as Record<string, unknown>;
  for (const s of SETTINGS) {
    if (/console|stdout/i.test(s.key) && s.kind === 'boolean' && !(s.key in loose)) loose[s.key] = false;
  }
  const monitor = new MonitoringSystem(options);
  await monitor.start();
  const internals = monitor as unknown as { parts?: { pipeline?: { sinks?: { name: string }[] } }; metricsUrl?: string | null };
  const sinks = (internals.parts?.pipeline?.sinks ?? []).map((s) => s.name);
  const base = internals.metricsUrl ?? null;
  // The monitor may name the server's root or the endpoint itself; the trials want the endpoint.
  const metricsUrl = base === null ? null : base.replace(/\/?$/, '').endsWith('/metrics') ? base : `${base.replace(/\/$/, '')}/metrics`;
  return { monitor, dbPath, logPath, sinks: ['eventLog', ...sinks], metricsUrl };
}

/** Rows written to the trades table, read through a separate connection (what is on disk). */
export async function countTradeRows(dbPath: string): Promise<number> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM trades').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
