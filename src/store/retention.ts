// Retention: deletes history older than a cutoff, table by table in chunks, yielding to the event loop between chunks.

import type { StoreBackend } from './StoreBackend.js';
import { TABLES, type TableName } from './schema.js';

export const DAY_MS = 86_400_000;

/** What `cleanupOldData` deleted. */
export interface CleanupResult {
  /** Rows stamped before this instant (epoch ms) were deleted. */
  readonly cutoff: number;
  readonly deleted: Readonly<Record<TableName, number>>;
  readonly total: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deletes rows of `backend` stamped before `cutoff`, at most `chunkRows` per statement. Before each
 * chunk, `goOn()` is asked whether to continue (a stop ends the run at the next chunk) and
 * `beforeChunk()` lets a writer on another connection commit its batch first.
 */
export async function deleteOlderThan(
  backend: StoreBackend,
  cutoff: number,
  chunkRows: number,
  goOn: () => boolean,
  beforeChunk: () => void,
): Promise<CleanupResult> {
  const deleted = {} as Record<TableName, number>;
  let total = 0;
  for (const table of TABLES) {
    deleted[table] = 0;
    for (;;) {
      if (!goOn() || !backend.isOpen) break;
      beforeChunk();
      const n = backend.deleteOlderThan(table, cutoff, chunkRows);
      deleted[table] += n;
      total += n;
      if (n < chunkRows) break;
      await yieldToEventLoop();
    }
  }
  if (total > 0) {
    // Not inside the caller's turn (start() runs the first chunk of each table synchronously).
    await yieldToEventLoop();
    if (backend.isOpen) backend.optimize();
  }
  return { cutoff, deleted, total };
}
