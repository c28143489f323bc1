// Numbers as text without V8's number-string cache: JSON for log lines, plain for text lines and the Prometheus exposition.

// Every number the monitor writes as text goes through here, not String(), because V8 caches each
// converted number's string in the old generation while JSON.stringify writes the same text as
// short-lived garbage (measurements in docs/benchmarks.md).

/** A number as JSON: the text String() gives for a finite number, `null` otherwise (and for null). */
export function jsonNumber(value: number | null): string {
  return JSON.stringify(value);
}

/** A number for a text line: the text String() gives (`NaN`, `Infinity` included). */
export function textNumber(value: number): string {
  return Number.isFinite(value) ? JSON.stringify(value) : String(value);
}
