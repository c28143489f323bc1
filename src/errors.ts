// Errors the monitor throws at its callers: bad arguments, bad configuration, and records a flush could not make durable.

/**
 * Thrown synchronously when a caller passes an invalid argument (a NaN price, an empty symbol,
 * ending a loop that was never started) or when configuration is invalid. Nothing is recorded
 * in any sink when it is thrown, and the monitor keeps working.
 */
export class ValidationError extends Error {
  /** The argument field or environment variable that was refused, e.g. `quantity` or `POSEIDON_LOG_LEVEL`. */
  readonly field: string;
  /** The refused value, as given. */
  readonly value: unknown;
  /** What would have been accepted, in words. */
  readonly accepted: string;

  constructor(field: string, value: unknown, accepted: string) {
    super(`Invalid ${field}: ${describeValue(value)}; expected ${accepted}`);
    this.name = 'ValidationError';
    this.field = field;
    this.value = value;
    this.accepted = accepted;
  }
}

/** A `ValidationError` raised while reading configuration; `field` is the option or `POSEIDON_*` variable. */
export class ConfigurationError extends ValidationError {
  constructor(field: string, value: unknown, accepted: string) {
    super(field, value, accepted);
    this.name = 'ConfigurationError';
  }
}

/** What a flush could not make durable: records accepted before the call that were not written. */
export class FlushError extends Error {
  override readonly name = 'FlushError';
  /** History rows recorded before the flush that are not durable. */
  readonly historyRows: number;
  /** Log lines recorded before the flush that did not reach their file. */
  readonly logLines: number;
  constructor(counts: { readonly historyRows: number; readonly logLines: number }) {
    super(`flush incomplete: ${counts.historyRows} history rows and ${counts.logLines} log lines are not durable`);
    this.historyRows = counts.historyRows;
    this.logLines = counts.logLines;
  }
}

const MAX_SHOWN = 80;

/** Renders a refused value for an error message: short, unambiguous, never throwing. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number') {
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}
