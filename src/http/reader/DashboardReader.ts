// What the JSON API reads its history views through: a reader thread for a SQLite file, in process otherwise.

import type { ExportFormat, ViewRequest } from './views.js';

/** Where the API's history views are computed and serialized (never the bot's thread for a SQLite file). */
export interface DashboardReader {
  /**
   * The view's JSON text as UTF-8 bytes; per-symbol tables hold at most `symbolLimit` rows. Rejects
   * with a `ValidationError` for a bad argument (the API answers 400), any other error otherwise.
   */
  view(request: ViewRequest, symbolLimit: number): Promise<Uint8Array>;
  /**
   * The export document once its figures are read: whole when it is one page, else page after
   * page, each produced when the previous one has been taken; ending the iteration early (a client
   * gone) stops the work.
   */
  export(format: ExportFormat, symbolLimit: number): Promise<Uint8Array | AsyncIterable<Uint8Array>>;
  /** Releases the reader (a thread is terminated); never hangs. Reading again starts it anew. */
  stop(): Promise<void>;
}
