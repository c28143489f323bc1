// RotatingFileWriter: buffers log lines as UTF-8 bytes and writes them to a file in large synchronous chunks, rotating by size at line boundaries.

import { closeSync, fchmodSync, fstatSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Utf8Buffer } from '../internal/Utf8Buffer.js';

/** Options of {@link RotatingFileWriter}. */
export interface RotatingFileWriterOptions {
  /** The log file; its folder is created when missing. */
  readonly path: string;
  /** A file is rotated before a write would take it past this many bytes. */
  readonly maxSizeBytes: number;
  /**
   * Rotated files kept, as `path.1` (newest) … `path.N` (oldest). 0 never rotates (the file grows),
   * as the seed's Python `RotatingFileHandler` did.
   */
  readonly backupCount: number;
}

// Log files may hold order details: owner read/write, group read, nobody else.
const FILE_MODE = 0o640;
const NEWLINE = 0x0a;
/** Bytes the line buffer starts with, and the size past which a flush gives it back. */
export const LINE_BUFFER_BYTES = 64 * 1024;
export const KEPT_LINE_BUFFER_BYTES = 1024 * 1024;

/**
 * Why our own writer rather than rotating-file-stream or pino-roll: both rotate from an async
 * stream whose buffered data a crash or `process.exit()` loses, and neither can be flushed
 * synchronously from an `exit` handler. Here every write is a synchronous `writeSync` of a whole
 * buffered chunk, done off the hot path (timer, `flush()`, `stop()`, process exit), so after
 * `flush()` returns the bytes are in the file, and rotation cuts only after a `\n`: no line is
 * lost or split across files. A line longer than the limit is written alone into a fresh file.
 *
 * Lines are copied into a byte buffer as they are appended, not kept as strings until the flush:
 * a string queued for a few milliseconds (and the pieces a template literal builds it from) is
 * still alive at the next young-generation collection, which copies it and then promotes it.
 */
export class RotatingFileWriter {
  readonly path: string;
  private readonly maxSizeBytes: number;
  private readonly backupCount: number;
  private fd: number | null = null;
  private size = 0;
  private readonly pending = new Utf8Buffer(LINE_BUFFER_BYTES);
  private closed = false;
  private opened = false;
  /** Bytes written to files so far. */
  bytesWritten = 0;
  /** Rotations done so far. */
  rotations = 0;
  /** Lines that could not be written (a failed write) and were given up. */
  linesLost = 0;

  constructor(options: RotatingFileWriterOptions) {
    this.path = options.path;
    this.maxSizeBytes = options.maxSizeBytes;
    this.backupCount = options.backupCount;
  }

  /** Bytes waiting to be written. */
  get pendingLength(): number {
    return this.pending.length;
  }

  /** Creates the folder (mode 0750) and opens the file for appending (mode 0640); the size of an existing file counts towards rotation. */
  open(): void {
    if (this.fd !== null || this.closed) return;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o750 });
    this.openFile();
    this.opened = true;
  }

  /** Queues text (whole lines, each ending in `\n`). No I/O. */
  append(text: string): void {
    if (!this.closed) this.pending.append(text);
  }

  /**
   * Writes everything queued, synchronously, rotating as needed. Before `open()` nothing is written
   * and the lines stay queued. A failed write throws after counting the lines it lost.
   */
  flush(): void {
    if (!this.opened || this.pending.length === 0) return;
    // A rotation whose reopen failed left no file: try again rather than queueing forever.
    if (this.fd === null) this.reopen();
    const buf = this.pending.view();
    // Written below or given up: either way these bytes leave the queue. (A buffer given back
    // leaves `buf` to this write; one kept is not appended to before the write ends.)
    this.pending.clear(KEPT_LINE_BUFFER_BYTES);
    let offset = 0;
    try {
      while (offset < buf.length) {
        let end = buf.length;
        if (this.backupCount > 0 && this.size + (end - offset) > this.maxSizeBytes) {
          // The longest run of whole lines that still fits in this file.
          const room = this.maxSizeBytes - this.size;
          const lastNewline = room > 0 ? buf.lastIndexOf(NEWLINE, offset + room - 1) : -1;
          end = lastNewline >= offset ? lastNewline + 1 : offset;
          if (end === offset) {
            if (this.size > 0) {
              this.rotate();
              continue;
            }
            // An empty file and a first line longer than the limit: that line goes alone, whole.
            const newline = buf.indexOf(NEWLINE, offset);
            end = newline < 0 ? buf.length : newline + 1;
          }
        }
        this.writeAll(buf, offset, end);
        offset = end;
      }
    } catch (error) {
      this.linesLost += countLines(buf, offset);
      throw error;
    }
  }

  /** Flushes and closes the file; later appends are ignored. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      this.pending.clear();
      if (this.fd !== null) {
        const fd = this.fd;
        this.fd = null;
        closeSync(fd);
      }
    }
  }

  private reopen(): void {
    try {
      this.openFile();
    } catch (error) {
      this.linesLost += countLines(this.pending.view(), 0);
      this.pending.clear();
      throw error;
    }
  }

  private openFile(): void {
    const fd = openSync(this.path, 'a', FILE_MODE);
    try {
      const stat = fstatSync(fd);
      // An existing file keeps its mode on open; tighten it if it lets more people read it.
      if ((stat.mode & 0o777 & ~FILE_MODE) !== 0) fchmodSync(fd, stat.mode & FILE_MODE);
      this.size = stat.size;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.fd = fd;
  }

  private writeAll(buf: Buffer, from: number, to: number): void {
    let at = from;
    while (at < to) {
      const n = writeSync(this.fd!, buf, at, to - at);
      at += n;
      this.size += n;
      this.bytesWritten += n;
    }
  }

  private rotate(): void {
    closeSync(this.fd!);
    this.fd = null;
    // The oldest backup is deleted first, so no rename below replaces a file: on ext4, renaming
    // over an existing file forces the renamed file's unwritten data to disk first (auto_da_alloc),
    // which stopped the event loop for 8 to 28 ms per rotation of a 10 MB log written seconds before.
    unlessMissing(() => unlinkSync(`${this.path}.${this.backupCount}`));
    for (let i = this.backupCount - 1; i >= 1; i--) unlessMissing(() => renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`));
    unlessMissing(() => renameSync(this.path, `${this.path}.1`));
    this.rotations++;
    this.openFile();
  }
}

/** Runs a file operation; a file that is not there is not an error. */
function unlessMissing(operation: () => void): void {
  try {
    operation();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function countLines(buf: Buffer, from: number): number {
  let n = 0;
  for (let i = buf.indexOf(NEWLINE, from); i >= 0; i = buf.indexOf(NEWLINE, i + 1)) n++;
  return n;
}
