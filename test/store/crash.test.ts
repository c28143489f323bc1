// Crash safety on real processes: SIGKILL at random moments loses nothing flushed; SIGTERM with handlers loses nothing.

import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type FixtureRun, runFixture } from '../helpers/childProcess.js';
import { openRaw, tempDirs } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('../fixtures/store/writer-child.ts', import.meta.url));

const dirs = tempDirs();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  dirs.cleanup();
});

function runChild(dbPath: string, mode: 'flush' | 'stream' | 'exit' | 'drain'): FixtureRun {
  const run = runFixture(CHILD, ROOT, { POSEIDON_TEST_DB: dbPath, POSEIDON_TEST_MODE: mode });
  children.push(run.child);
  return run;
}

function lastNumber(lines: readonly string[], word: string): number {
  let last = 0;
  for (const l of lines) {
    const m = new RegExp(`^${word} (\\d+)$`).exec(l);
    if (m) last = Math.max(last, Number(m[1]));
  }
  return last;
}

/** Trade numbers in the file, in insertion order, and the file's integrity verdict. */
function readBack(path: string): { numbers: number[]; integrity: unknown } {
  // Opening read-write replays the WAL the killed process left, as the next start would.
  const db = openRaw(path);
  try {
    const rows = db.prepare('SELECT execution_id FROM trades ORDER BY id').all() as { execution_id: string }[];
    return { numbers: rows.map((r) => Number(r.execution_id.slice(1))), integrity: db.pragma('integrity_check', { simple: true }) };
  } finally {
    db.close();
  }
}

/** Every number from 1 to the highest stored, each exactly once, in order. */
function expectContiguous(numbers: readonly number[], atLeast: number, context: string): void {
  expect(numbers.length, context).toBeGreaterThanOrEqual(atLeast);
  for (let i = 0; i < numbers.length; i++) {
    if (numbers[i] !== i + 1) expect.fail(`${context}: row ${i} holds trade ${numbers[i]}, expected ${i + 1} (missing or duplicated)`);
  }
}

// Real time is the point here: the kill must land at an unpredictable moment of a real process.
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('crash safety', () => {
  it('SIGKILL at random moments: every trade up to the last printed flush is stored exactly once, file intact', async () => {
    for (let round = 0; round < 4; round++) {
      const path = join(dirs.make(), 'crash.db');
      const run = runChild(path, 'flush');
      await run.waitFor(/^flushed \d+$/);
      const delay = Math.floor(Math.random() * 400);
      await pause(delay);
      run.child.kill('SIGKILL');
      const { signal } = await run.exited;
      expect(signal).toBe('SIGKILL');
      const lastFlushed = lastNumber(run.lines, 'flushed');
      const { numbers, integrity } = readBack(path);
      const context = `round ${round}, killed ${delay} ms after the first flush, last printed ${lastFlushed}, stored ${numbers.length}`;
      expect(integrity, context).toBe('ok');
      expect(lastFlushed, context).toBeGreaterThanOrEqual(1000);
      expectContiguous(numbers, lastFlushed, context);
    }
  }, 120_000);

  it('SIGTERM mid-stream with signal handlers enabled: nothing logged is lost, and the signal still ends the process', async () => {
    const path = join(dirs.make(), 'term.db');
    const run = runChild(path, 'stream');
    await run.waitFor(/^logged \d+$/, 4);
    await pause(Math.floor(Math.random() * 200));
    run.child.kill('SIGTERM');
    const { signal } = await run.exited;
    expect(signal).toBe('SIGTERM');
    const lastLogged = lastNumber(run.lines, 'logged');
    const { numbers, integrity } = readBack(path);
    const context = `last printed ${lastLogged}, stored ${numbers.length}`;
    expect(integrity, context).toBe('ok');
    expectContiguous(numbers, lastLogged, context);
  }, 60_000);

  it.each([
    ['process.exit()', 'exit'],
    ['an event loop that runs dry (beforeExit)', 'drain'],
  ] as const)(
    'a bot that ends with %s without stop() still has every trade written',
    async (_name, mode) => {
      const path = join(dirs.make(), `${mode}.db`);
      const run = runChild(path, mode);
      const { code } = await run.exited;
      expect(code).toBe(0);
      const { numbers, integrity } = readBack(path);
      expect(integrity).toBe('ok');
      expect(numbers).toHaveLength(2500);
      expectContiguous(numbers, 2500, mode);
    },
    60_000,
  );
});
