// Helpers shared by the store tests: temp folders, monitors on a real SQLite file, a second DB handle.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '../../src/clock.js';
import type { MonitoringConfigOptions } from '../../src/config/MonitoringConfig.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';

/** A fresh folder under the OS temp dir; `cleanup()` removes every one made so far. */
export function tempDirs(): { make(): string; cleanup(): void } {
  const made: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(join(tmpdir(), 'poseidon-store-'));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

/** A monitor writing history to `dbPath` (or memory), on a manual clock, with nothing else on disk or network. */
export function monitorAt(
  dbPath: string | null,
  clock: ManualClock = new ManualClock(T0),
  extra: MonitoringConfigOptions = {},
): MonitoringSystem {
  return new MonitoringSystem({
    storage: dbPath === null ? 'memory' : 'sqlite',
    ...(dbPath === null ? {} : { dbUrl: `sqlite:///${dbPath}` }),
    enableMetricsServer: false,
    logFile: null,
    logConsole: false,
    logLevel: 'ERROR',
    enableHourlyGrowth: false,
    clock,
    ...extra,
  });
}

/** An independent connection to the file, as another process would have. */
export function openRaw(path: string): Database.Database {
  return new Database(path);
}

/** The execution ids of the trades in the file, in the order they were written. */
export function executionIds(path: string): string[] {
  const raw = openRaw(path);
  try {
    return (raw.prepare('SELECT execution_id FROM trades ORDER BY id').all() as { execution_id: string }[]).map((r) => r.execution_id);
  } finally {
    raw.close();
  }
}
