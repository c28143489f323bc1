// Where the file backend keeps a bot's history: its folder, its day files' names, its carried positions.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Position } from '../analytics/PnlLedger.js';
import { DAY_MS } from './retention.js';

export const FILE_NAME = /^([a-z_]+)-(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** `YYYY-MM-DD` of the UTC day of `t`. */
export function dayOf(t: number): string {
  return new Date(Math.floor(t / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** The folder of one bot's files: `bot=<name>`, the name percent-encoded so it can never leave the directory. */
export function botFolder(bot: string): string {
  return `bot=${encodeURIComponent(bot)}`;
}

/** The positions retention folded from deleted trades, kept in `position_carry.json` (created empty unless `readOnly`). */
export function readCarryFile(dir: string, readOnly = false): Position[] {
  const path = join(dir, 'position_carry.json');
  const text = readOnly && !existsSync(path) ? '' : readFileSync(path, { encoding: 'utf8', flag: readOnly ? 'r' : 'a+' });
  return text.trim() === '' ? [] : (JSON.parse(text) as Position[]);
}

/** Replaces `position_carry.json` whole (written aside, synced, renamed over); returns what it wrote. */
export function writeCarryFile(dir: string, positions: Position[]): Position[] {
  const path = join(dir, 'position_carry.json');
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(positions));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return positions;
}
