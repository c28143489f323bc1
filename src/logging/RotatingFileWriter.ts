// RotatingFileWriter: buffers log lines as UTF-8 bytes and writes them to a file in large synchronous chunks, rotating by size at line boundaries, each line whole or not at all.

import { closeSync, fchmodSync, fstatSync, ftruncateSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
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
  /** Told when the file was found deleted or replaced under its path (and reopened there). */
  readonly onReplaced?: (error: Error) => void;
  /** @internal The write call; tests replace it to simulate a full disk. @default fs.writeSync */
  readonly writeSync?: (fd: number, buffer: Buffer, offset: number, length: number) => number;
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
  private readonly onReplaced: (error: Error) => void;
  private readonly write: (fd: number, buffer: Buffer, offset: number, length: number) => number;
  private fd: number | null = null;
  /** Device and inode of the open file, to notice it deleted or renamed under us. */
  private identity = '';
  /** A failed write left part of a line that could not be cut off: the next write starts a fresh line. */
  private brokenLine = false;
  /** Set by a failed write: where in the chunk the first line not wholly in the file starts. */
  private failedLineStart: number | null = null;
  private size = 0;
  private readonly pending = new Utf8Buffer(LINE_BUFFER_BYTES);
  private closed = false;
  private opened = false;
  /** Bytes written to files so far. */
  bytesWritten = 0;
  /** Rotations done so far. */
  rotations = 0;
  /** Lines that could not be written (a failed write) and were given up; none of their bytes is in the file. */
  linesLost = 0;
  /** Times the file was found deleted or renamed and reopened at its path. */
  replacements = 0;

  constructor(options: RotatingFileWriterOptions) {
    this.path = options.path;
    this.maxSizeBytes = options.maxSizeBytes;
    this.backupCount = options.backupCount;
    this.onReplaced = options.onReplaced ?? (() => {});
    this.write = options.writeSync ?? writeSync;
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
   * and the lines stay queued. A failed write cuts the file back to the end of the last whole line,
   * counts the lines it gave up (exactly: none of their bytes stays) and throws. A file deleted or
   * renamed since the last write is reopened at its path first (and reported).
   */
  flush(): void {
    if (!this.opened || this.closed) return;
    // A rotation or reopen that failed left no file: try again rather than queueing forever.
    if (this.fd === null) this.reopen();
    else this.reopenIfReplaced();
    if (this.pending.length === 0) return;
    const buf = this.pending.view();
    // Written below or given up: either way these bytes leave the queue. (A buffer given back
    // leaves `buf` to this write; one kept is not appended to before the write ends.)
    this.pending.clear(KEPT_LINE_BUFFER_BYTES);
    let offset = 0;
    try {
      if (this.brokenLine) {
        this.writeRange(NEWLINE_BUFFER, 0, 1);
        this.brokenLine = false;
      }
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
        offset = this.writeLines(buf, offset, end);
      }
    } catch (error) {
      this.linesLost += countLines(buf, this.failedLineStart ?? offset);
      this.failedLineStart = null;
      throw error;
    }
  }

  /**
   * Writes the whole lines `buf[from, to)`; returns `to`. On a failure it takes back the bytes of
   * the line it was in, so the file ends after a whole line, and throws.
   */
  private writeLines(buf: Buffer, from: number, to: number): number {
    let at = from;
    try {
      this.writeRange(buf, from, to, (n) => {
        at += n;
      });
      return to;
    } catch (error) {
      const lineStart = at > from ? buf.lastIndexOf(NEWLINE, at - 1) + 1 : from;
      const start = Math.max(lineStart, from);
      if (at > start) this.takeBack(at - start);
      // The caller counts the lost lines from here: every line before it is whole in the file.
      this.failedLineStart = start;
      throw error;
    }
  }

  private writeRange(buf: Buffer, from: number, to: number, progress: (n: number) => void = () => {}): void {
    let at = from;
    while (at < to) {
      const n = this.write(this.fd!, buf, at, to - at);
      at += n;
      this.size += n;
      this.bytesWritten += n;
      progress(n);
    }
  }

  /** Cuts the last `bytes` bytes (part of a line) off the file; when that fails, the next write starts a fresh line. */
  private takeBack(bytes: number): void {
    try {
      ftruncateSync(this.fd!, fstatSync(this.fd!).size - bytes);
      this.size -= bytes;
      this.bytesWritten -= bytes;
    } catch {
      this.brokenLine = true;
    }
  }

  /** Reopens the path when the open file is no longer what it names (deleted, renamed, replaced). */
  private reopenIfReplaced(): void {
    let now = '';
    try {
      now = identityOf(statSync(this.path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (now === this.identity) return;
    const fd = this.fd!;
    this.fd = null;
    closeSync(fd);
    this.replacements++;
    this.brokenLine = false;
    this.reopen();
    this.onReplaced(
      new Error(`log file ${this.path} was ${now === '' ? 'deleted' : 'replaced or renamed'} while open; reopened at its path`),
    );
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
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o750 });
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
      this.identity = identityOf(stat);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.fd = fd;
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

const NEWLINE_BUFFER = Buffer.from('\n');

function identityOf(stat: { dev: number; ino: number }): string {
  return `${stat.dev}:${stat.ino}`;
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
