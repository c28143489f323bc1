// Runs queued work a few items per turn of the event loop, so a burst of it never holds the bot's loop for long.

/**
 * A queue drained at most `perTurn` items per turn of the event loop (each turn's share in a
 * `setImmediate`), in order: between two shares the loop runs the bot's timers and I/O.
 */
export class TurnPacer {
  private queue: (() => void)[] = [];
  private next = 0;
  private scheduled = false;

  constructor(private readonly perTurn: number) {}

  /** Runs `task` in this turn's share if there is room left, else in a later turn. */
  run(task: () => void): void {
    this.queue.push(task);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  private readonly drain = (): void => {
    const end = Math.min(this.queue.length, this.next + this.perTurn);
    try {
      while (this.next < end) this.queue[this.next++]!();
    } finally {
      if (this.next < this.queue.length) {
        setImmediate(this.drain);
      } else {
        this.queue = [];
        this.next = 0;
        this.scheduled = false;
      }
    }
  };
}
