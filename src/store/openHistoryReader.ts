// Opens the configured store for reading only (no writer, no lease, no thread): what the CLI's history commands read.

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { StorageBackend } from '../config/enums.js';
import type { MonitoringConfig } from '../config/MonitoringConfig.js';
import { FileBackend } from './FileBackend.js';
import type { HistoryReader } from './HistoryReader.js';
import { RedisBackend } from './RedisBackend.js';
import { safeUrl } from './redisErrors.js';
import { SqliteReader } from './SqliteReader.js';

/** A reader of one bot's stored history that never writes to the store. */
export interface ReadOnlyHistory extends HistoryReader {
  /** Where the history is, for messages. */
  readonly location: string;
  /** Bytes the store takes on disk. */
  sizeBytes(): number;
  /** Releases what the reader holds open; harmless twice. */
  close(): void;
}

/** The store named by `config` cannot be read: there is none, or it is not history this package can read as it is. */
export class HistoryUnavailableError extends Error {
  override readonly name = 'HistoryUnavailableError';
}

/**
 * A reader of `config.botName`'s history in the configured store, opened read-only: nothing is
 * created, migrated, locked or written, so it may run beside the bot that writes the store.
 * Throws {@link HistoryUnavailableError} when there is nothing to read (a missing file or
 * directory, memory storage, which lives only in the process that records it) or the store is
 * refused as it is (see {@link SqliteReader.openReadOnly}).
 */
export function openHistoryReader(config: MonitoringConfig): ReadOnlyHistory {
  switch (config.storage) {
    case StorageBackend.SQLITE: {
      const location = config.databaseLocation;
      if (location.kind !== 'file') throw new HistoryUnavailableError('an in-memory SQLite database holds no history to read');
      const path = resolve(location.path);
      if (!existsSync(path)) throw new HistoryUnavailableError(`no database at ${path}`);
      let reader: ReturnType<typeof SqliteReader.openReadOnly>;
      try {
        reader = SqliteReader.openReadOnly(path, config.botName);
      } catch (error) {
        throw new HistoryUnavailableError((error as Error).message);
      }
      return Object.assign(reader, { location: path });
    }
    case StorageBackend.FILE: {
      const directory = resolve(config.storagePath);
      if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
        throw new HistoryUnavailableError(`no history directory at ${directory}`);
      }
      const backend = new FileBackend(directory, { botName: config.botName, readOnly: true });
      backend.open();
      return Object.assign(backend, { location: directory });
    }
    case StorageBackend.REDIS: {
      const backend = new RedisBackend({ url: config.redisUrl, prefix: config.redisPrefix, botName: config.botName, readOnly: true });
      try {
        backend.open();
      } catch (error) {
        throw new HistoryUnavailableError((error as Error).message);
      }
      return Object.assign(backend, { location: safeUrl(config.redisUrl) });
    }
    default:
      throw new HistoryUnavailableError(
        `${config.storage} storage keeps history only in the process that records it: there is nothing to read from here`,
      );
  }
}
