// Log levels: the seed's five names, their pino levels and numbers, and their OpenTelemetry severities.

import { SeverityNumber } from '@opentelemetry/api-logs';
import { LogLevel } from '../config/enums.js';
import type { ErrorSeverity } from '../events/types.js';

/** pino's numbers for the levels we use; a record is written when its number is >= the threshold. */
export const LEVEL_DEBUG = 20;
export const LEVEL_INFO = 30;
export const LEVEL_WARNING = 40;
export const LEVEL_ERROR = 50;
export const LEVEL_CRITICAL = 60;

/** A level number of ours (20, 30, 40, 50 or 60). */
export type LevelNumber = typeof LEVEL_DEBUG | typeof LEVEL_INFO | typeof LEVEL_WARNING | typeof LEVEL_ERROR | typeof LEVEL_CRITICAL;

/** Every level, lowest first, with the names each output uses. */
export const LEVELS: readonly {
  readonly number: LevelNumber;
  /** The seed's name, written as `level` in JSON and text lines. */
  readonly name: LogLevel;
  /** pino's name for it (WARNING is `warn`, CRITICAL is `fatal`). */
  readonly pino: 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  readonly otel: SeverityNumber;
}[] = [
  { number: LEVEL_DEBUG, name: LogLevel.DEBUG, pino: 'debug', otel: SeverityNumber.DEBUG },
  { number: LEVEL_INFO, name: LogLevel.INFO, pino: 'info', otel: SeverityNumber.INFO },
  { number: LEVEL_WARNING, name: LogLevel.WARNING, pino: 'warn', otel: SeverityNumber.WARN },
  { number: LEVEL_ERROR, name: LogLevel.ERROR, pino: 'error', otel: SeverityNumber.ERROR },
  { number: LEVEL_CRITICAL, name: LogLevel.CRITICAL, pino: 'fatal', otel: SeverityNumber.FATAL },
];

/** The level entry of a level number (numbers are the multiples of 10 from 20 to 60). */
export function levelInfo(level: LevelNumber): (typeof LEVELS)[number] {
  return LEVELS[level / 10 - 2]!;
}

/** The threshold number of a configured level. */
export function levelNumberOf(level: LogLevel): LevelNumber {
  return LEVELS.find((l) => l.name === level)!.number;
}

/** The seed's level name of a pino level name (pino's `trace` shows as DEBUG, as the seed has no lower level). */
export function levelNameOfPino(pinoLevel: string): LogLevel {
  return LEVELS.find((l) => l.pino === pinoLevel)?.name ?? LogLevel.DEBUG;
}

/**
 * The level of an error record: low → WARNING, medium and high → ERROR, critical → CRITICAL when
 * critical alerts are on, else ERROR.
 */
export function errorLevel(severity: ErrorSeverity, criticalAlerts: boolean): LevelNumber {
  switch (severity) {
    case 'low':
      return LEVEL_WARNING;
    case 'critical':
      return criticalAlerts ? LEVEL_CRITICAL : LEVEL_ERROR;
    default:
      return LEVEL_ERROR;
  }
}
