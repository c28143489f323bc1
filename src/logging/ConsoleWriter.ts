// ConsoleWriter: buffers log lines for the console as UTF-8 bytes and hands them to stdout (or another stream) in one write per flush.

import { Utf8Buffer } from '../internal/Utf8Buffer.js';
import { KEPT_LINE_BUFFER_BYTES, LINE_BUFFER_BYTES } from './RotatingFileWriter.js';

/** Where console lines go: `process.stdout` unless a test or embedder gives another. */
export interface LineTarget {
  write(chunk: string): unknown;
}

/**
 * Queues lines and writes them as one chunk on `flush()`. `process.stdout` writes synchronously
 * for files, pipes and terminals on Linux and macOS, so a flush from an `exit` handler still lands.
 * Lines wait as bytes, like the log file's (see RotatingFileWriter), and become one string only
 * for the write.
 */
export class ConsoleWriter {
  private readonly pending = new Utf8Buffer(LINE_BUFFER_BYTES);
  private closed = false;

  constructor(private readonly target: LineTarget = process.stdout) {}

  /** Bytes waiting to be written. */
  get pendingLength(): number {
    return this.pending.length;
  }

  /** Queues text (whole lines). No I/O. */
  append(text: string): void {
    if (!this.closed) this.pending.append(text);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const chunk = this.pending.toString();
    this.pending.clear(KEPT_LINE_BUFFER_BYTES);
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
