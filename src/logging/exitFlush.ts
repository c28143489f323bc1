// Flushes every open log writer when the process exits, with one `exit` listener however many monitors there are.

const flushers = new Set<() => void>();

function flushAll(): void {
  for (const flush of flushers) {
    try {
      flush();
    } catch {
      // Exiting: there is nowhere left to report a failed write, and the next writer still gets its turn.
    }
  }
}

/**
 * Calls `flush` (which must be synchronous) on process exit, including `process.exit()` and an
 * uncaught exception, until the returned function is called. A signal that kills the process
 * without running `exit` listeners (SIGKILL, or SIGTERM with no handler) skips it.
 */
export function flushOnExit(flush: () => void): () => void {
  if (flushers.size === 0) process.on('exit', flushAll);
  flushers.add(flush);
  return () => {
    if (flushers.delete(flush) && flushers.size === 0) process.off('exit', flushAll);
  };
}
