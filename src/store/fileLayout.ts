// Where the file backend keeps a bot's history: its folder, its day files' names, and small JSON files replaced whole.

import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS } from './retention.js';
import { TABLES, type TableName } from './schema.js';

/** `<table>-<YYYY-MM-DD>.jsonl`: the rows of one table stamped on one UTC day. */
export const FILE_NAME = /^([a-z_]+)-(\d{4}-\d{2}-\d{2})\.jsonl$/;
/** `summary-<YYYY-MM-DD>.json`: what the day's files hold, kept as rows are written (see DaySummary). */
export const SUMMARY_NAME = /^summary-(\d{4}-\d{2}-\d{2})\.json$/;
export const CARRY_FILE = 'position_carry.json';
export const LOCK_FILE = 'writer.lock';

let lastDayStart = Number.NaN;
let lastDay = '';

/** `YYYY-MM-DD` of the UTC day of `t`. */
export function dayOf(t: number): string {
  const start = Math.floor(t / DAY_MS) * DAY_MS;
  // Rows come in time order: the day of the previous one is nearly always the answer.
  if (start !== lastDayStart) {
    lastDay = new Date(start).toISOString().slice(0, 10);
    lastDayStart = start;
  }
  return lastDay;
}

/** Epoch milliseconds of the start of a `YYYY-MM-DD` UTC day. */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export function dataFile(table: TableName, day: string): string {
  return `${table}-${day}.jsonl`;
}

/**
 * `trades-<YYYY-MM-DD>.times`: each trade line's timestamp and execution time as two float64s, in
 * the order of the lines: the trading dashboard's percentiles without reading the lines.
 */
export function timesFile(day: string): string {
  return `trades-${day}.times`;
}

export function summaryFile(day: string): string {
  return `summary-${day}.json`;
}

/** The folder of one bot's files: `bot=<name>`, the name percent-encoded so it can never leave the directory. */
export function botFolder(bot: string): string {
  return `bot=${encodeURIComponent(bot)}`;
}

/** The days that have a data file, oldest first, each with its tables. */
export function listDays(dir: string): Map<string, Set<TableName>> {
  const days = new Map<string, Set<TableName>>();
  // A reader may look at a bot that has no folder yet: it has no days.
  const names = (statSync(dir, { throwIfNoEntry: false }) === undefined ? [] : readdirSync(dir)).sort();
  for (const name of names) {
    const m = FILE_NAME.exec(name);
    if (m === null || !(TABLES as readonly string[]).includes(m[1]!)) continue;
    let tables = days.get(m[2]!);
    if (tables === undefined) {
      tables = new Set();
      days.set(m[2]!, tables);
    }
    tables.add(m[1] as TableName);
  }
  return days;
}

/** A small JSON file's value, or undefined when it is missing or not JSON (it is rebuilt from the day files then). */
export function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Replaces a small JSON file whole: written aside, renamed over, so a reader sees the old or the new one. */
export function writeJson(path: string, value: unknown, sync: boolean): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(value));
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Syncs a file already written (a summary renamed into place before the interval's fsync). */
export function syncPath(dir: string, name: string): void {
  let fd: number;
  try {
    fd = openSync(join(dir, name), 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
