// Chooses where the JSON API's history views run: a reader thread for a SQLite file or Redis, in process (bounded) otherwise.

import type { HistoryStore } from '../../store/HistoryStore.js';
import { RedisBackend } from '../../store/RedisBackend.js';
import { SqliteBackend } from '../../store/SqliteBackend.js';
import type { DashboardReader } from './DashboardReader.js';
import { InProcessReader } from './InProcessReader.js';
import type { LiveSources } from './snapshot.js';
import { ThreadReader } from './ThreadReader.js';

export interface DashboardReaderOptions {
  readonly store: HistoryStore;
  /** Whose rows the views count. */
  readonly bot: string;
  readonly live: LiveSources;
  /** Changes whenever something is recorded. */
  readonly version: () => number;
  /** Reader failures (a reader thread that dies), counted in the monitor's diagnostics. */
  readonly onError: (error: unknown) => void;
}

export function createDashboardReader(options: DashboardReaderOptions): DashboardReader {
  const { store, live } = options;
  const backend = store.backend;
  if (backend instanceof SqliteBackend && backend.filePath !== null) {
    return new ThreadReader({
      path: backend.filePath,
      bot: options.bot,
      live,
      onError: options.onError,
      storeRunning: () => store.isRunning,
    });
  }
  if (backend instanceof RedisBackend) {
    return new ThreadReader({
      path: '',
      // Reads only: no role check, and the bot's name is not written again.
      redis: { ...backend.options, readOnly: true },
      bot: options.bot,
      live,
      onError: options.onError,
      storeRunning: () => store.isRunning,
    });
  }
  return new InProcessReader({ live, version: options.version });
}
