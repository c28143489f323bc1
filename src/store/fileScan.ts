// Reading the file backend's JSON Lines by byte range: whole lines forwards, lines backwards from an end, trade figures without parsing.

import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 4 << 20;
const NL = 0x0a;

/** Calls `visit` with each complete line of the file's bytes `[start, end)` and the offset it starts at, oldest first. */
export function forEachLine(path: string, start: number, end: number, visit: (line: Buffer, offset: number) => void): void {
  if (end <= start) return;
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(Math.min(CHUNK, end - start));
    let pos = start;
    let carried = 0;
    while (pos < end) {
      const want = Math.min(buf.length - carried, end - pos);
      if (want === 0) {
        // One line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carried);
        buf = bigger;
        continue;
      }
      const got = readSync(fd, buf, carried, want, pos);
      if (got === 0) break;
      pos += got;
      const filled = carried + got;
      const base = pos - filled;
      let from = 0;
      for (let nl = buf.indexOf(NL, 0); nl !== -1 && nl < filled; nl = buf.indexOf(NL, from)) {
        if (nl > from) visit(buf.subarray(from, nl), base + from);
        from = nl + 1;
      }
      carried = filled - from;
      buf.copy(buf, 0, from, filled);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The complete lines of the file's first `end` bytes, newest first, read in chunks from the end:
 * a caller that stops early (a query's limit) reads only the tail.
 */
export function* linesBackward(path: string, end: number, chunk = 1 << 20): Generator<Buffer> {
  if (end <= 0) return;
  const fd = openSync(path, 'r');
  try {
    let rest = Buffer.alloc(0);
    let pos = end;
    while (pos > 0) {
      const size = Math.min(chunk, pos);
      pos -= size;
      const piece = Buffer.allocUnsafe(size);
      readSync(fd, piece, 0, size, pos);
      const buf = rest.length === 0 ? piece : Buffer.concat([piece, rest]);
      let stop = buf.length;
      // The last line of `buf` ends at `stop`; lines start after a newline, or at 0 once the file's start is read.
      for (let nl = buf.lastIndexOf(NL, stop - 1); nl !== -1; nl = buf.lastIndexOf(NL, stop - 1)) {
        if (stop > nl + 1) yield buf.subarray(nl + 1, stop);
        stop = nl;
        if (stop === 0) break;
      }
      rest = buf.subarray(0, stop);
    }
    if (rest.length > 0) yield rest;
  } finally {
    closeSync(fd);
  }
}

/** Bytes of the file's complete lines: `size`, or less when its last line has no newline (a torn append). */
export function completeBytes(path: string, size: number): number {
  if (size === 0) return 0;
  const fd = openSync(path, 'r');
  try {
    const one = Buffer.allocUnsafe(1);
    readSync(fd, one, 0, 1, size - 1);
    if (one[0] === NL) return size;
    const buf = Buffer.allocUnsafe(64 << 10);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - buf.length);
      readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, end - start).lastIndexOf(NL);
      if (nl !== -1) return start + nl + 1;
      end = start;
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

const TRADE_PREFIX = Buffer.from('{"event_type":"trade_execution",');
const TIMESTAMP = Buffer.from('"timestamp":');
const EXECUTION_MS = Buffer.from('"execution_time_ms":');

/** The number written at `from` in `line` (up to the next `,` or `}`). */
function numberAt(line: Buffer, from: number): number {
  let end = from;
  while (end < line.length && line[end] !== 0x2c && line[end] !== 0x7d) end++;
  return Number(line.toString('latin1', from, end));
}

/**
 * A trade line's timestamp and execution time read straight from its bytes (the order the backend
 * writes its fields in), null for a line that is not a trade; a line of another shape is parsed.
 */
export function tradeTimes(line: Buffer): [number, number] | null {
  if (line.compare(TRADE_PREFIX, 0, TRADE_PREFIX.length, 0, TRADE_PREFIX.length) === 0) {
    const t = line.indexOf(TIMESTAMP, TRADE_PREFIX.length);
    const e = t === -1 ? -1 : line.indexOf(EXECUTION_MS, t);
    if (e !== -1) return [numberAt(line, t + TIMESTAMP.length), numberAt(line, e + EXECUTION_MS.length)];
  }
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line.toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (r.event_type !== 'trade_execution' || typeof r.timestamp !== 'number' || typeof r.execution_time_ms !== 'number') return null;
  return [r.timestamp, r.execution_time_ms];
}

const TRADE_TEXT = TRADE_PREFIX.toString('latin1');
const PNL_TEXT = '{"event_type":"profit_loss",';
/** The fields of a trade line the trade figures need, in the order the backend writes them: name, and whether it is text. */
const FIGURE_FIELDS = [
  ['timestamp', false],
  ['symbol', true],
  ['side', true],
  ['notional_value', false],
  ['fee', false],
  ['execution_time_ms', false],
  ['slippage_bps', false],
  ['execution_id', true],
  ['realized_pnl', false],
  ['pnl_source', true],
] as const;
const FIGURE_KEYS = FIGURE_FIELDS.map(([name]) => `,"${name}":`);

/**
 * The fields of a trade line that the trade figures read (time, symbol, side, notional, fee,
 * execution ms, slippage, execution id, P&L and its source) cut from its text without parsing;
 * null for a P&L line; undefined for a line of another shape (an escaped string, a null figure),
 * which the caller parses.
 */
export function tradeFigures(line: Buffer): Record<string, string | number | null> | null | undefined {
  const text = line.toString('utf8');
  if (!text.startsWith(TRADE_TEXT)) return text.startsWith(PNL_TEXT) ? null : undefined;
  if (text.includes('\\')) return undefined;
  const r: Record<string, string | number | null> = { event_type: 'trade_execution', additional_data: null };
  let at = TRADE_TEXT.length - 1;
  for (let i = 0; i < FIGURE_FIELDS.length; i++) {
    const [name, isText] = FIGURE_FIELDS[i]!;
    const key = FIGURE_KEYS[i]!;
    const k = text.indexOf(key, at);
    if (k === -1) return undefined;
    at = k + key.length;
    if (text.charCodeAt(at) === 0x6e) {
      // null: only the P&L fields may be.
      if (name !== 'realized_pnl' && name !== 'pnl_source') return undefined;
      r[name] = null;
      continue;
    }
    if (isText) {
      if (text.charCodeAt(at) !== 0x22) return undefined;
      const end = text.indexOf('"', at + 1);
      if (end === -1) return undefined;
      r[name] = text.slice(at + 1, end);
      at = end + 1;
    } else {
      let end = at;
      for (let c = text.charCodeAt(end); end < text.length && c !== 0x2c && c !== 0x7d; c = text.charCodeAt(++end));
      const v = Number(text.slice(at, end));
      if (Number.isNaN(v)) return undefined;
      r[name] = v;
      at = end;
    }
  }
  return r;
}
