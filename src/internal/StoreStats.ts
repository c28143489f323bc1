// The store's figures that telemetry exports and health checks read (the contract between the two).

/** A point-in-time view of the history store, read at scrape time. */
export interface StoreStats {
  /** Size of the database file(s) on disk, including WAL; 0 for in-memory storage. */
  readonly dbSizeBytes: number;
  /** Rows waiting in the write buffer. */
  readonly bufferedRows: number;
  /** Flushes that failed (each is retried). */
  readonly writeFailures: number;
  /** Rows dropped because the buffer was full (never silent: counted here). */
  readonly droppedRows: number;
  /** Rows written so far. */
  readonly rowsWritten: number;
  /** Successful flushes so far. */
  readonly flushes: number;
  /** Duration of the last successful flush, milliseconds (0 before the first). */
  readonly lastFlushDurationMs: number;
  /** Rows in the last successful flush. */
  readonly lastFlushRows: number;
}
