// StoreCounters: the history store's write figures and its rate-limited failure reports.

import type { Clock } from '../clock.js';

/** At most one report per this many milliseconds while a fault lasts; every failure is still counted. */
const REPORT_INTERVAL_MS = 60_000;

/**
 * Counts every outcome (rows written, failures, drops) and reports failures through `onFailure`:
 * the first of a fault episode at once, then at most one per minute. A fault episode lasts from the
 * first failure (or drop) to the next successful write.
 */
export class StoreCounters {
  failing = false;
  private dropping = false;
  private lastReportAt = Number.NEGATIVE_INFINITY;
  writeFailures = 0;
  droppedRows = 0;
  rowsWritten = 0;
  flushes = 0;
  lastFlushDurationMs = 0;
  lastFlushRows = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onFailure: (error: unknown) => void,
    private readonly maxBufferRows: number,
  ) {}

  /** `rows` rows made durable in `durationMs`; `buffered` rows still wait. */
  succeeded(rows: number, durationMs: number, buffered: number): void {
    this.rowsWritten += rows;
    this.flushes++;
    this.lastFlushRows = rows;
    this.lastFlushDurationMs = durationMs;
    this.failing = false;
    if (buffered < this.maxBufferRows) this.dropping = false;
  }

  failed(error: unknown): void {
    this.writeFailures++;
    const first = !this.failing;
    this.failing = true;
    this.report(error, first);
  }

  /** A row refused for its content, dropped alone. */
  refused(eventType: string, message: string): void {
    this.droppedRows++;
    this.report(new Error(`history row refused by the database and dropped (${eventType}): ${message}`), true);
  }

  /** A row dropped because the buffer is full. */
  dropped(): void {
    this.droppedRows++;
    if (!this.dropping) {
      this.dropping = true;
      this.report(
        new Error(`history buffer full (${this.maxBufferRows} rows): new rows are dropped and counted until a flush succeeds`),
        true,
      );
    }
  }

  report(error: unknown, force = false): void {
    const now = this.clock.now();
    if (!force && now - this.lastReportAt < REPORT_INTERVAL_MS) return;
    this.lastReportAt = now;
    try {
      this.onFailure(error);
    } catch {
      // Reporting must not turn a failed write into an exception in the bot.
    }
  }
}
