// The process hooks that flush running monitors synchronously at exit and, when asked, on SIGTERM/SIGINT.

type Signal = 'SIGTERM' | 'SIGINT';
const SIGNALS: readonly Signal[] = ['SIGTERM', 'SIGINT'];

// One listener per process event however many monitors run, so many monitors raise no listener warning.
const atExit = new Set<() => void>();
const atSignal = new Set<() => void>();

function flushAll(flushers: Set<() => void>): void {
  for (const flush of flushers) {
    try {
      flush();
    } catch {
      // Exiting: there is nowhere left to report a failed write, and the next monitor still gets its turn.
    }
  }
}

const onExit = (): void => flushAll(atExit);

const onSignal = (signal: Signal): void => {
  flushAll(atSignal);
  // Alone on the signal, re-raise it so the process ends as it would have without us (same exit
  // status); when the bot has handlers of its own, ending the process is left to them.
  if (process.listeners(signal).every((l) => l === onSignal)) {
    for (const s of SIGNALS) process.off(s, onSignal);
    atSignal.clear();
    process.kill(process.pid, signal);
  }
};

/**
 * Calls `flush` (synchronous: better-sqlite3 and the log writers write synchronously) on
 * `beforeExit` and `exit` (including `process.exit()` and an uncaught exception) and, with
 * `signals`, on SIGTERM/SIGINT, until the returned function is called. SIGKILL, or a signal with
 * no handler, ends the process without running any of them.
 */
export function flushOnExit(flush: () => void, signals: boolean): () => void {
  if (atExit.size === 0) {
    process.on('beforeExit', onExit);
    process.on('exit', onExit);
  }
  atExit.add(flush);
  if (signals) {
    if (atSignal.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
    atSignal.add(flush);
  }
  return () => {
    if (atExit.delete(flush) && atExit.size === 0) {
      process.off('beforeExit', onExit);
      process.off('exit', onExit);
    }
    if (atSignal.delete(flush) && atSignal.size === 0) for (const s of SIGNALS) process.off(s, onSignal);
  };
}
