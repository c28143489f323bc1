// Test helpers for the logging tests: temp folders, a quiet monitor logging to a real file, reading lines back.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.js';
import type { MonitoringConfigOptions } from '../../src/config/MonitoringConfig.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';

/** 2026-11-24T10:00:00.000Z, the instant of the example lines in docs/logging.md. */
export const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);

/** A fresh folder under the OS temp dir; `remove()` deletes it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'poseidon-logging-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A monitor logging to `file` (no console, memory storage, no HTTP) on a manual clock at {@link T0}. */
export function fileMonitor(file: string, overrides: MonitoringConfigOptions = {}): { monitor: MonitoringSystem; clock: ManualClock } {
  const clock = new ManualClock(T0);
  const monitor = new MonitoringSystem({
    logFile: file,
    logConsole: false,
    logLevel: 'DEBUG',
    storage: 'memory',
    enableMetricsServer: false,
    enableHourlyGrowth: false,
    botName: 'test-bot',
    clock,
    ...overrides,
  });
  return { monitor, clock };
}

/** The lines of a file (without the trailing empty one); none when it does not exist. */
export function linesOf(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

/** Every line of a JSON-lines file, parsed. */
export function recordsOf(file: string): Record<string, unknown>[] {
  return linesOf(file).map((line) => JSON.parse(line) as Record<string, unknown>);
}
