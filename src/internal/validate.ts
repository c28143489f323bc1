// Argument checks shared by every public method: each throws a ValidationError naming the field.

import { ValidationError } from '../errors.js';
import type { AdditionalData } from '../events/types.js';
import { isSecretKey, REDACTED, redactText } from './redact.js';

const MAX_NAME_LENGTH = 128;
const MAX_TEXT_LENGTH = 8192;
// Symbols, loop and metric names: printable, no control characters, no whitespace-only.
const NAME_PATTERN = /^[^\p{Cc}\p{Cs}]+$/u;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function requireObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, value, 'an object');
  }
  return value as Record<string, unknown>;
}

export function optionalObject(field: string, value: unknown): Record<string, unknown> {
  return value === undefined ? {} : requireObject(field, value);
}

/** A non-empty name of printable characters, at most 128 long (symbols, loop and metric names). */
export function requireName(field: string, value: unknown): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_NAME_LENGTH ||
    value.trim().length === 0 ||
    !NAME_PATTERN.test(value)
  ) {
    throw new ValidationError(field, value, `a non-empty string of at most ${MAX_NAME_LENGTH} printable characters`);
  }
  return value;
}

export function optionalName(field: string, value: unknown): string | null {
  return value === undefined || value === null ? null : requireName(field, value);
}

/** Free text (messages): non-empty, at most 8192 characters. */
export function requireText(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT_LENGTH) {
    throw new ValidationError(field, value, `a non-empty string of at most ${MAX_TEXT_LENGTH} characters`);
  }
  return value;
}

export function optionalText(field: string, value: unknown): string | null {
  return value === undefined || value === null ? null : requireText(field, value);
}

/**
 * The largest magnitude of a money figure the monitor keeps (a price, a notional value, a fee, a
 * balance, a position's value). Far beyond any real amount, and small enough that sums of up to
 * 10^7 such figures stay finite, so no total, equity or counter can become ±Infinity.
 */
export const MAX_AMOUNT = 1e300;
const AMOUNT_TEXT = `at most ${MAX_AMOUNT} in magnitude`;

/** A finite number >= 0 and at most {@link MAX_AMOUNT} (balances). */
export function requireAmount(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= MAX_AMOUNT)) {
    throw new ValidationError(field, value, `a finite number >= 0 and ${AMOUNT_TEXT}`);
  }
  return value;
}

/** Refuses a figure computed from valid inputs that is beyond {@link MAX_AMOUNT} (or not finite). */
export function requireBounded(field: string, value: unknown, figure: number, what: string): void {
  if (!(Math.abs(figure) <= MAX_AMOUNT)) throw new ValidationError(field, value, `${what} ${AMOUNT_TEXT}`);
}

export function requirePositive(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(field, value, 'a finite number greater than 0');
  }
  return value;
}

export function requireNonNegative(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(field, value, 'a finite number >= 0');
  }
  return value;
}

export function requireFinite(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(field, value, 'a finite number');
  }
  return value;
}

export function optionalNonNegative(field: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : requireNonNegative(field, value);
}

export function optionalFinite(field: string, value: unknown): number | null {
  return value === undefined || value === null ? null : requireFinite(field, value);
}

export function requireNonNegativeInteger(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(field, value, 'a whole number >= 0');
  }
  return value;
}

export function requireBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(field, value, 'true or false');
  return value;
}

export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, value, `one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** A point in time as a Date or epoch milliseconds. */
export function requireInstant(field: string, value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new ValidationError(field, value, 'a valid Date or epoch milliseconds');
  }
  return ms;
}

export function optionalInstant(field: string, value: unknown): number | undefined {
  return value === undefined || value === null ? undefined : requireInstant(field, value);
}

/**
 * Copies caller-supplied extra data into a frozen plain object that JSON carries faithfully.
 * Refused, with a ValidationError naming the path (`additionalData.order.fills[2]`): what JSON
 * would silently change or drop, i.e. a Map, Set or other class instance, symbol keys, functions,
 * symbols, bigint, non-finite numbers, `undefined` or a hole in an array, cycles, and
 * prototype-pollution keys. Converted, as documented: a Date becomes its ISO 8601 text, an Error
 * `{ name, message }`, and a key whose value is `undefined` is left out (as JSON.stringify does).
 * The value of every secret-named key (apiKey, password, token, …, at any depth) is replaced by
 * `"[REDACTED]"`, and what looks like a secret in a string value is redacted as free text is.
 */
export function copyAdditionalData(field: string, value: unknown): AdditionalData | null {
  if (value === undefined || value === null) return null;
  requireObject(field, value);
  return copyPlain(field, value, 0, new Set()) as AdditionalData;
}

const MAX_DEPTH = 8;
const MAX_KEYS = 256;
const JSON_DATA = 'JSON data (plain objects, arrays, strings, finite numbers, booleans, null, Dates)';

function copyPlain(field: string, value: unknown, depth: number, seen: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
      if (value.length > MAX_TEXT_LENGTH) throw new ValidationError(field, value, `strings of at most ${MAX_TEXT_LENGTH} characters`);
      return redactText(value);
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new ValidationError(field, value, 'finite numbers only');
      return value;
    case 'object': {
      if (value === null) return null;
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new ValidationError(field, value, 'valid dates only');
        return value.toISOString();
      }
      if (value instanceof Error)
        return Object.freeze({ name: safeText(() => value.name, 'Error'), message: redactText(safeText(() => value.message, '')) });
      if (depth >= MAX_DEPTH) throw new ValidationError(field, value, `nesting of at most ${MAX_DEPTH} levels`);
      if (seen.has(value)) throw new ValidationError(field, value, 'data without cycles');
      const proto = Object.getPrototypeOf(value);
      const isArray = Array.isArray(value);
      if (!isArray && proto !== Object.prototype && proto !== null) {
        throw new ValidationError(field, value, `${JSON_DATA}, not a ${className(value)}: JSON would not carry it faithfully`);
      }
      if (Object.getOwnPropertySymbols(value).length > 0) throw new ValidationError(field, value, `${JSON_DATA} without symbol keys`);
      seen.add(value);
      let copy: unknown;
      if (isArray) {
        if (value.length > MAX_KEYS) throw new ValidationError(field, value, `arrays of at most ${MAX_KEYS} items`);
        const out: unknown[] = new Array(value.length);
        // Indexed, not mapped: a hole is visited (and refused) like an undefined item.
        for (let i = 0; i < value.length; i++) out[i] = copyPlain(`${field}[${i}]`, value[i], depth + 1, seen);
        copy = Object.freeze(out);
      } else {
        const keys = Object.keys(value);
        if (keys.length > MAX_KEYS) throw new ValidationError(field, value, `objects of at most ${MAX_KEYS} keys`);
        const out: Record<string, unknown> = {};
        for (const key of keys) {
          if (FORBIDDEN_KEYS.has(key))
            throw new ValidationError(`${field}.${key}`, key, 'a key other than __proto__, constructor or prototype');
          const item = (value as Record<string, unknown>)[key];
          if (item === undefined) continue;
          // Censored here, once, so no sink (logs, database, exports, API, callbacks) ever holds it.
          out[key] = isSecretKey(key) ? REDACTED : copyPlain(`${field}.${key}`, item, depth + 1, seen);
        }
        copy = Object.freeze(out);
      }
      seen.delete(value);
      return copy;
    }
    default:
      throw new ValidationError(field, value, JSON_DATA);
  }
}

/** The class name of an object for a message, never throwing. */
function className(value: object): string {
  try {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? name : 'class instance';
  } catch {
    return 'class instance';
  }
}

/** A string property read through a getter that may throw or return anything. */
export function safeText(read: () => unknown, fallback: string): string {
  try {
    const text = read();
    return typeof text === 'string' ? text : fallback;
  } catch {
    return fallback;
  }
}

/** Tags for performance metrics: a flat record of short strings; secret-named tags are `"[REDACTED]"`. */
export function copyTags(field: string, value: unknown): Readonly<Record<string, string>> {
  if (value === undefined || value === null) return EMPTY_TAGS;
  const obj = requireObject(field, value);
  const out: Record<string, string> = {};
  const keys = Object.keys(obj);
  if (keys.length > 32) throw new ValidationError(field, value, 'at most 32 tags');
  for (const key of keys) {
    if (FORBIDDEN_KEYS.has(key)) throw new ValidationError(`${field}.${key}`, key, 'a key other than __proto__, constructor or prototype');
    requireName(`${field} key`, key);
    const item = obj[key];
    if (isSecretKey(key)) out[key] = REDACTED;
    else if (typeof item === 'number' && Number.isFinite(item)) out[key] = String(item);
    else if (typeof item === 'boolean') out[key] = String(item);
    else out[key] = requireName(`${field}.${key}`, item);
  }
  return Object.freeze(out);
}

const EMPTY_TAGS: Readonly<Record<string, string>> = Object.freeze({});
