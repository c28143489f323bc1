// Test helper: finds Prometheus binaries on PATH and runs `promtool check metrics` on exposition text.

import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The absolute path of `name` (or else of one of `otherNames`) on PATH, or null when none is installed. When the `CI`
 * variable is set a missing binary throws instead: CI must run the checks, not skip them.
 */
export function findBinary(name: string, ...otherNames: string[]): string | null {
  for (const n of [name, ...otherNames]) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (dir === '') continue;
      const candidate = join(dir, n);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not in this directory
      }
    }
  }
  if (process.env.CI) throw new Error(`${name} is not on PATH, and CI is set: install Prometheus' ${name} to run these tests`);
  return null;
}

/** What `promtool check metrics` said. */
export interface PromtoolResult {
  /** Exit status 0: no errors and no lint problems. */
  readonly ok: boolean;
  readonly status: number | null;
  /** stdout and stderr together (the problems found, one per line). */
  readonly output: string;
}

/** Runs `promtool check metrics` with `text` on stdin. `promtool` is the path from {@link findBinary}. */
export function checkMetrics(promtool: string, text: string): PromtoolResult {
  const run = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (run.error) throw run.error;
  return { ok: run.status === 0, status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}
