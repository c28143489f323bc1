// Hand-written JSON for the log line's fixed shape, secret-named fields of the free-form parts censored.

import { jsonNumber } from '../internal/numberText.js';
import { isSecretKey, REDACTED } from '../internal/redact.js';

// Characters JSON must escape, and lone surrogates (JSON.stringify writes those as \u escapes).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be found.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A JSON string literal; only strings that need escaping pay for JSON.stringify. */
export function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/** A JSON string literal or `null`. */
export function jsonNullableString(value: string | null): string {
  return value === null ? 'null' : jsonString(value);
}

/**
 * JSON of caller-supplied plain data (objects, arrays, strings, finite numbers, booleans, null, as
 * the facade's validation guarantees), with the value of every secret-named key, at any depth,
 * replaced by `"[REDACTED]"`. One pass, no intermediate copy.
 */
export function redactedJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
      return jsonNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + redactedJson(value[i]);
        return `${out}]`;
      }
      let out = '{';
      let first = true;
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        out += `${first ? '' : ','}${jsonString(key)}:${isSecretKey(key) ? `"${REDACTED}"` : redactedJson(item)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      // Not produced by the facade's validation; written as JSON would drop it.
      return 'null';
  }
}

/** JSON of free-form data, or `null`. */
export function redactedJsonOrNull(value: unknown): string {
  return value === null || value === undefined ? 'null' : redactedJson(value);
}

let cachedMillis = Number.NaN;
let cachedIso = '';
let cachedSecond = Number.NaN;
let cachedSecondPrefix = '';

/**
 * `new Date(ms).toISOString()`, cheaper: bursts of records share a second, so the text up to the
 * seconds is kept and only the milliseconds are appended.
 */
export function isoTime(time: number): string {
  if (time === cachedMillis) return cachedIso;
  // Like toISOString, fractions of a millisecond are dropped.
  const ms = Math.floor(time);
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const full = new Date(ms).toISOString();
    // Years outside 0000–9999 have a longer, signed form; those are not cached by second.
    if (full.length !== 24) return full;
    cachedSecond = second;
    cachedSecondPrefix = full.slice(0, 20);
  }
  const millis = ms - second * 1000;
  cachedMillis = time;
  cachedIso = `${cachedSecondPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
  return cachedIso;
}
