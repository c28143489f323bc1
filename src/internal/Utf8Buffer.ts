// Utf8Buffer: text appended as UTF-8 bytes into one growing buffer (log lines before a write, history rows' strings); copyAscii for fixed slots.

/**
 * Copies the leading ASCII characters of `s` into `target` from `at` and returns how many it
 * copied: `s.length` when every character was ASCII. Symbols and ids nearly always are, and a
 * loop by hand copies a short string faster than a call into `Buffer.write`.
 */
export function copyAscii(target: Uint8Array, at: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return i;
    target[at + i] = c;
  }
  return n;
}

/** Strings up to this length are tried with {@link copyAscii} first. */
const SHORT = 64;

/**
 * Bytes outside the JavaScript heap, so text queued in them is not copied by young-generation
 * collections as strings held until a later write would be. Grows by doubling.
 */
export class Utf8Buffer {
  private buf: Buffer;
  private used = 0;

  constructor(private readonly initialBytes: number) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** A buffer holding `bytes` (a batch that crossed from another thread), for reading. */
  static of(bytes: Uint8Array): Utf8Buffer {
    const b = new Utf8Buffer(0);
    b.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    b.used = bytes.length;
    return b;
  }

  /** Bytes held. */
  get length(): number {
    return this.used;
  }

  /** Bytes allocated. */
  get capacity(): number {
    return this.buf.length;
  }

  /** The bytes held (a view, valid until the next append or clear). */
  view(from = 0, to = this.used): Buffer {
    return this.buf.subarray(from, to);
  }

  /**
   * Appends `s` as UTF-8 and returns the bytes written: `s.length` exactly when `s` is ASCII (any
   * other character takes two bytes or more). A lone surrogate is written as U+FFFD.
   */
  append(s: string): number {
    const at = this.used;
    // At most 3 bytes of UTF-8 per UTF-16 unit.
    const room = at + s.length * 3;
    if (room > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(room, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    const written = s.length <= SHORT && copyAscii(this.buf, at, s) === s.length ? s.length : this.buf.write(s, at, 'utf8');
    this.used = at + written;
    return written;
  }

  /** Keeps only the first `length` bytes (a row given up half-way). */
  truncate(length: number): void {
    this.used = Math.min(this.used, length);
  }

  /** Empties it; a buffer grown past `keepBytes` goes back to its first size, so one burst does not hold memory for good. */
  clear(keepBytes = Number.POSITIVE_INFINITY): void {
    this.used = 0;
    if (this.buf.length > keepBytes) this.buf = Buffer.allocUnsafeSlow(this.initialBytes);
  }

  /** The text of bytes `from..to`. */
  toString(from = 0, to = this.used): string {
    return this.buf.toString('utf8', from, to);
  }

  /** The text of bytes `from..to`, which must be ASCII (one byte per character). */
  asciiString(from = 0, to = this.used): string {
    return this.buf.toString('latin1', from, to);
  }
}
