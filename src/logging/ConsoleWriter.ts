// ConsoleWriter: buffers log lines for the console and hands them to stdout (or another stream) in one write per flush.

/** Where console lines go: `process.stdout` unless a test or embedder gives another. */
export interface LineTarget {
  write(chunk: string): unknown;
}

/**
 * Queues lines and writes them as one chunk on `flush()`. `process.stdout` writes synchronously
 * for files, pipes and terminals on Linux and macOS, so a flush from an `exit` handler still lands.
 */
export class ConsoleWriter {
  private pending = '';
  private closed = false;

  constructor(private readonly target: LineTarget = process.stdout) {}

  /** Characters waiting to be written. */
  get pendingLength(): number {
    return this.pending.length;
  }

  /** Queues text (whole lines). No I/O. */
  append(text: string): void {
    if (!this.closed) this.pending += text;
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const chunk = this.pending;
    this.pending = '';
    this.target.write(chunk);
  }

  /** Flushes; later appends are ignored. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
    }
  }
}
