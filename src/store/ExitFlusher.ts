// ExitFlusher: writes buffered history synchronously when the process is about to exit or is told to stop.

type Signal = 'SIGTERM' | 'SIGINT';
const SIGNALS: readonly Signal[] = ['SIGTERM', 'SIGINT'];
// Every ExitFlusher's signal handler, so several monitors in one process still let a signal end it.
const OURS = new Set<(...args: never[]) => unknown>();

/**
 * Hooks `beforeExit` and `exit` (always: both run synchronous code only, and better-sqlite3 writes
 * synchronously) and, when asked, `SIGTERM`/`SIGINT`. A signal handler flushes and then, if no
 * other handler is listening, re-raises the signal so the process ends as it would have without
 * us (same exit status). When the bot has handlers of its own, ending the process is left to them.
 */
export class ExitFlusher {
  private installed = false;
  private readonly onExit = () => this.safeFlush();
  private readonly onSignal = (signal: Signal) => {
    this.safeFlush();
    if (process.listeners(signal).every((l) => OURS.has(l))) {
      this.uninstall();
      process.kill(process.pid, signal);
    }
  };

  constructor(
    private readonly flushSync: () => void,
    private readonly signals: boolean,
  ) {}

  install(): void {
    if (this.installed) return;
    this.installed = true;
    process.on('beforeExit', this.onExit);
    process.on('exit', this.onExit);
    if (this.signals) {
      OURS.add(this.onSignal);
      for (const s of SIGNALS) process.on(s, this.onSignal);
    }
  }

  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    process.off('beforeExit', this.onExit);
    process.off('exit', this.onExit);
    if (this.signals) {
      OURS.delete(this.onSignal);
      for (const s of SIGNALS) process.off(s, this.onSignal);
    }
  }

  private safeFlush(): void {
    try {
      this.flushSync();
    } catch {
      // The store counts and reports its own failures; an exit hook must never throw.
    }
  }
}
