// Parsing and checking of one setting's value, from an option or from the text of its environment variable.

import { ConfigurationError } from '../errors.js';
import { redactText } from '../internal/redact.js';
import { parseWebhookUrls } from '../notify/webhookFormats.js';
import type { Setting } from './settings.js';

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?$/i;
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};
const LABEL_PATTERN = /^[A-Za-z0-9._:/-]{0,64}$/;
const HOST_PATTERN = /^(?:[A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]+)$/;
// `[::1]` is how a URL writes an IPv6 address; a socket must be given `::1`.
const BRACKETED_IPV6 = /^\[([0-9A-Fa-f:.]+)\]$/;

function rangeText(s: Setting, what: string): string {
  const lo = s.min !== undefined ? ` >= ${s.min}` : '';
  const hi = s.max !== undefined ? ` and <= ${s.max}` : '';
  return `${what}${lo}${hi}${s.maxReason ? ` (${s.maxReason})` : ''}`;
}

/** Parses a raw environment string for a setting; throws ConfigurationError naming `field`. */
export function parseEnv(s: Setting, raw: string): unknown {
  const text = raw.trim();
  switch (s.kind) {
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      throw new ConfigurationError(s.env, raw, 'true or false (also 1/0, yes/no, on/off)');
    }
    case 'int':
    case 'number': {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
        throw new ConfigurationError(s.env, raw, rangeText(s, s.kind === 'int' ? 'a whole number' : 'a number'));
      }
      return Number(text);
    }
    case 'size': {
      const m = SIZE_PATTERN.exec(text);
      if (!m) throw new ConfigurationError(s.env, raw, 'a size in bytes, or with a unit: 512KB, 10MB, 1GB');
      return Math.round(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]!);
    }
    case 'enum': {
      const match = s.values!.find((v) => v.toLowerCase() === text.toLowerCase());
      refuseUnavailable(s, s.env, raw, match ?? text.toLowerCase());
      if (match !== undefined) return match;
      throw new ConfigurationError(s.env, raw, `one of ${s.values!.join(', ')}`);
    }
    case 'nullableString':
      return text === '' ? null : text;
    default:
      return text;
  }
}

/** A value the setting names as unavailable is refused with the reason, in place of the list of accepted values. */
function refuseUnavailable(s: Setting, field: string, given: unknown, value: unknown): void {
  const reason = typeof value === 'string' && s.unavailable !== undefined ? s.unavailable[value] : undefined;
  if (reason === undefined) return;
  const available = (s.values ?? []).filter((v) => s.unavailable?.[v] === undefined);
  throw new ConfigurationError(field, given, `${available.join(' or ')} (${reason})`);
}

/** Checks a typed value (from an option or a parsed variable); `field` names where it came from. */
export function check(s: Setting, value: unknown, field: string): unknown {
  switch (s.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new ConfigurationError(field, value, 'true or false');
      return value;
    case 'int':
    case 'size':
    case 'number': {
      const whole = s.kind !== 'number';
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        (whole && !Number.isSafeInteger(value)) ||
        (s.min !== undefined && value < s.min) ||
        (s.max !== undefined && value > s.max)
      ) {
        throw new ConfigurationError(field, value, rangeText(s, whole ? 'a whole number' : 'a number'));
      }
      return value;
    }
    case 'enum': {
      refuseUnavailable(s, field, value, value);
      if (typeof value !== 'string' || !s.values!.includes(value)) {
        throw new ConfigurationError(field, value, `one of ${s.values!.join(', ')}`);
      }
      return value;
    }
    case 'nullableString':
      if (value === null) return null;
      if (typeof value !== 'string' || value.length === 0 || /[\0\r\n]/.test(value)) {
        throw new ConfigurationError(field, s.secret ? '(hidden)' : value, 'a non-empty string without NUL or line breaks, or null');
      }
      if (s.min !== undefined && value.length < s.min) {
        throw new ConfigurationError(field, s.secret ? '(hidden)' : value, `a string of at least ${s.min} characters`);
      }
      return value;
    case 'host': {
      const host = typeof value === 'string' ? (BRACKETED_IPV6.exec(value)?.[1] ?? value) : value;
      if (typeof host !== 'string' || !HOST_PATTERN.test(host)) {
        throw new ConfigurationError(field, value, 'a host name or IP address such as 127.0.0.1, 0.0.0.0 or ::1');
      }
      return host;
    }
    case 'dbUrl':
      parseDbUrl(field, value);
      return value;
    case 'redisUrl':
      parseRedisUrl(field, value);
      return value;
    case 'label':
      if (typeof value !== 'string' || !LABEL_PATTERN.test(value)) {
        throw new ConfigurationError(
          field,
          value,
          'at most 64 characters of letters, digits, and . _ - : / (may be empty except the bot name)',
        );
      }
      if (s.nonEmpty && value === '') throw new ConfigurationError(field, value, 'a non-empty name');
      return value;
    case 'string':
      if (typeof value !== 'string' || value.length === 0 || /[\0\r\n]/.test(value))
        throw new ConfigurationError(field, value, 'a non-empty path without NUL or line breaks');
      return value;
    case 'webhooks':
      if (value === null) return null;
      if (typeof value !== 'string')
        throw new ConfigurationError(field, '(hidden)', 'comma-separated [json=|telegram=|discord=]http(s) URLs, or null');
      return parseWebhookUrls(field, value).length === 0 ? null : value;
    default:
      return value;
  }
}

/**
 * Checks `redis://[user:password@]host[:port][/db]` (`rediss://` for TLS); the refused value is
 * shown with its password hidden.
 */
export function parseRedisUrl(field: string, url: unknown): URL {
  const accepted = 'redis://[user:password@]host[:port][/db] or rediss://… (TLS), db a whole number';
  if (typeof url !== 'string') throw new ConfigurationError(field, url, accepted);
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // refused below
  }
  if (
    parsed === null ||
    (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') ||
    parsed.hostname === '' ||
    !/^(\/\d{0,5})?$/.test(parsed.pathname) ||
    /[\0\r\n]/.test(url)
  ) {
    throw new ConfigurationError(field, redactText(url), accepted);
  }
  return parsed;
}

/** Where a SQLite database lives: a file path or `:memory:`. */
export type DatabaseLocation = { readonly kind: 'memory' } | { readonly kind: 'file'; readonly path: string };

/**
 * Parses `sqlite:///relative/path.db` (relative to the working directory),
 * `sqlite:////absolute/path.db` and `sqlite::memory:`; anything else names `field`.
 */
export function parseDbUrl(field: string, url: unknown): DatabaseLocation {
  const accepted = 'sqlite:///relative.db, sqlite:////absolute/path.db or sqlite::memory:';
  if (typeof url !== 'string') throw new ConfigurationError(field, url, accepted);
  if (url === 'sqlite::memory:' || url === 'sqlite:///:memory:') return { kind: 'memory' };
  const prefix = 'sqlite:///';
  if (!url.startsWith(prefix)) throw new ConfigurationError(field, url, accepted);
  const path = url.slice(prefix.length);
  if (path.length === 0 || path.endsWith('/') || /[\0\r\n?#]/.test(path)) throw new ConfigurationError(field, url, accepted);
  return { kind: 'file', path };
}
