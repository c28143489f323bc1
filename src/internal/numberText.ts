// Numbers as text without V8's number-string cache: JSON for log lines, plain for text lines and the Prometheus exposition.

// Numbers in every text the monitor writes (log lines, the Prometheus exposition) go through here,
// not String() or a template literal: V8 keeps the string of each number it converts in a cache
// and allocates it in the old generation, so every price in a log line was old-generation garbage
// (30–40 MB of it between full collections over 1,000,000 trades). JSON.stringify writes the same
// shortest round-trip text, in the young generation, and about twice as fast.

/** A number as JSON: the text String() gives for a finite number, `null` otherwise (and for null). */
export function jsonNumber(value: number | null): string {
  return JSON.stringify(value);
}

/** A number for a text line: the text String() gives (`NaN`, `Infinity` included). */
export function textNumber(value: number): string {
  return Number.isFinite(value) ? JSON.stringify(value) : String(value);
}
