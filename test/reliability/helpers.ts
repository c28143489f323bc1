// Test helpers for the reliability suites: temp folders, file snapshots, metric sums and raw SQLite reads.

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { parseSamples } from '../telemetry/exposition.js';

/** A fresh folder under the OS temp dir; `remove()` deletes it. */
export function tempDir(prefix = 'poseidon-reliability-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under `dir` (relative path → size and mtime), to prove later that nothing else was written. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const s = statSync(path);
    out.set(relative(dir, path), entry.isDirectory() ? 'dir' : `${s.size}:${s.mtimeMs}`);
  }
  return out;
}

/** Sum of every sample of `name` (over all label sets) whose labels include `where`. */
export function sumOf(exposition: string, name: string, where: Record<string, string> = {}): number {
  let total = 0;
  for (const s of parseSamples(exposition)) {
    if (s.name !== name) continue;
    if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

/** Runs `read` on a read-only connection to the SQLite file at `path`, then closes it. */
export function withDb<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Rows of `table` in the SQLite file. */
export function countRows(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}
