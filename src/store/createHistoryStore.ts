// Builds the history store the configuration asks for (POSEIDON_STORAGE, POSEIDON_DB_URL, …).

import { systemClock } from '../clock.js';
import { StorageBackend } from '../config/enums.js';
import type { MonitoringConfig } from '../config/MonitoringConfig.js';
import { ConfigurationError } from '../errors.js';
import { FileBackend } from './FileBackend.js';
import { HistoryStore } from './HistoryStore.js';
import { MemoryBackend } from './MemoryBackend.js';
import { RedisBackend } from './RedisBackend.js';
import { SqliteBackend } from './SqliteBackend.js';
import type { StoreBackend } from './StoreBackend.js';

/**
 * The store for `config`. Opens nothing: the database (the file directory, the Redis connection) is opened by `start()`.
 */
export function createHistoryStore(config: MonitoringConfig, onFailure: (error: unknown) => void): HistoryStore {
  let backend: StoreBackend;
  let persistent = false;
  switch (config.storage) {
    case StorageBackend.SQLITE:
      backend = new SqliteBackend(config.databaseLocation, {
        botName: config.botName,
        strategy: config.strategy,
        exchange: config.exchange,
        synchronous: config.dbSynchronous,
        writerLease: config.writerLease,
      });
      persistent = config.databaseLocation.kind === 'file';
      break;
    case StorageBackend.FILE:
      backend = new FileBackend(config.storagePath, {
        botName: config.botName,
        strategy: config.strategy,
        exchange: config.exchange,
        synchronous: config.dbSynchronous,
        syncIntervalMs: config.flushIntervalMs,
        writerLease: config.writerLease,
        onNotice: (message) => onFailure(new Error(message)),
      });
      persistent = true;
      break;
    case StorageBackend.REDIS:
      backend = new RedisBackend({
        url: config.redisUrl,
        prefix: config.redisPrefix,
        botName: config.botName,
        strategy: config.strategy,
        exchange: config.exchange,
      });
      persistent = true;
      break;
    case StorageBackend.MEMORY:
      backend = new MemoryBackend(config.botName);
      break;
    default:
      throw new ConfigurationError('storage', config.storage, 'sqlite, memory, file or redis');
  }
  return new HistoryStore(backend, {
    clock: config.clock,
    flushIntervalMs: config.flushIntervalMs,
    maxBufferRows: config.storeMaxBufferRows,
    retentionDays: config.metricsRetentionDays,
    // On real time only: with an injected clock, tests (and simulations) expect a timer's flush
    // to be on disk when the clock's advance() returns, which only the caller's thread can do.
    writerThread: persistent && config.clock === systemClock,
    onFailure,
  });
}
