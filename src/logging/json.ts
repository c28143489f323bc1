// Hand-written JSON for the log line's fixed shape, and redaction of secrets in the free-form parts.

import { jsonNumber } from '../internal/numberText.js';

/** What a redacted value is replaced with, in every output. */
export const REDACTED = '[REDACTED]';

// Names that usually hold credentials, in any case and spelled with or without `_`/`-`: apiKey,
// api_key, X-Api-Key, secret, apiSecret, password, passwd, passphrase (exchanges use one), token,
// accessToken, authorization, privateKey, cookie, credentials.
const SECRET_KEY = /api[-_ ]?key|secret|passw(?:or)?d|passphrase|token|authori[sz]ation|private[-_ ]?key|cookie|credential/i;

/** True when a field of this name is censored in every log output. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

// Free text: a secret-named key followed by `=` or `:` (a query string `apiKey=…`, a header
// `X-Api-Key: …`, JSON `"password":"…"`, escaped or not), its value up to the next space, quote or
// separator, an `Authorization` value's scheme included; a bearer token on its own; and the
// password of a URL (`scheme://user:password@host`). Bounded repetitions keep every pattern linear.
const SECRET_ASSIGNMENT = new RegExp(
  `((?:${SECRET_KEY.source})[A-Za-z0-9_-]{0,32})(\\\\?["']?[ \\t]{0,8}[:=][ \\t]{0,8}\\\\?["']?)((?:(?:bearer|basic|token)[ \\t]{1,8})?[^\\s"'&,;{}()<>\\[\\]\\\\]+)`,
  'gi',
);
const BARE_BEARER = /\b(bearer[ \t]{1,8})[A-Za-z0-9._~+/-]{8,}=*/gi;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]{0,32}:\/\/[^\s:/?#@]{1,256}:)[^\s/?#@]{1,256}@/gi;
/** Cheap first look: only text that may hold a secret pays for the replacements. */
const MAYBE_SECRET = new RegExp(`${SECRET_KEY.source}|bearer|:\\/\\/[^\\s/]*@`, 'i');

/**
 * `text` with what looks like a secret replaced by `[REDACTED]`, the names around it kept:
 * `GET /order?symbol=BTC&apiKey=abc` → `GET /order?symbol=BTC&apiKey=[REDACTED]`. For free text
 * that may quote a request, a header or a connection string (error messages, stack traces).
 */
export function redactText(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  return text.replace(SECRET_ASSIGNMENT, `$1$2${REDACTED}`).replace(BARE_BEARER, `$1${REDACTED}`).replace(URL_PASSWORD, `$1${REDACTED}@`);
}

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

/**
 * A copy of `value` with every secret-named key's value replaced by `"[REDACTED]"`, at any depth;
 * `value` itself when nothing needed censoring. For objects that are not ours to serialise (what
 * users hand to the pino logger, OpenTelemetry attributes). Errors, dates and class instances are
 * kept as they are, except for their own secret-named fields.
 */
export function redactDeep<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth > 16) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item = redactDeep(value[i], depth + 1);
      if (item !== value[i]) {
        copy ??= value.slice();
        copy[i] = item;
      }
    }
    return (copy ?? value) as T;
  }
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const next = isSecretKey(key) ? REDACTED : redactDeep(item, depth + 1);
    if (next !== item) {
      if (copy === null) {
        // An Error keeps its message and stack (own but non-enumerable) and its type for pino's serializer.
        copy = value instanceof Error ? Object.assign(Object.create(Object.getPrototypeOf(value)), value) : { ...value };
        if (value instanceof Error) {
          (copy as Record<string, unknown>).message = value.message;
          (copy as Record<string, unknown>).stack = value.stack;
        }
      }
      copy![key] = next;
    }
  }
  return (copy ?? value) as T;
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
