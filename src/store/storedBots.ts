// The bot names that have history in the configured store (for fleet reports over a shared store).

import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { MonitoringConfig } from '../config/MonitoringConfig.js';
import { TABLES } from './schema.js';

/** Every bot with at least one row, sorted; empty for memory storage or a store that does not exist yet. */
export function storedBots(config: MonitoringConfig): string[] {
  if (config.storage === 'file') {
    let names: string[];
    try {
      names = readdirSync(resolve(config.storagePath));
    } catch {
      return [];
    }
    return names
      .filter((n) => n.startsWith('bot='))
      .map((n) => decodeURIComponent(n.slice(4)))
      .sort();
  }
  if (config.storage !== 'sqlite') return [];
  const location = config.databaseLocation;
  if (location.kind !== 'file') return [];
  let db: Database.Database;
  try {
    db = new Database(location.path, { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    const union = TABLES.map((t) => `SELECT DISTINCT bot FROM ${t}`).join(' UNION ');
    return (db.prepare(`${union} ORDER BY bot`).all() as { bot: string }[]).map((r) => r.bot);
  } finally {
    db.close();
  }
}
