// Enumerations used in configuration.

/** The five log levels; WARNING maps to pino's `warn`, CRITICAL to `fatal`. */
export enum LogLevel {
  DEBUG = 'DEBUG',
  INFO = 'INFO',
  WARNING = 'WARNING',
  ERROR = 'ERROR',
  CRITICAL = 'CRITICAL',
}

/** Log output format: JSON lines, human text lines, or both. */
export enum OutputFormat {
  JSON = 'json',
  TEXT = 'text',
  BOTH = 'both',
}

/** Where history is kept. */
export enum StorageBackend {
  SQLITE = 'sqlite',
  MEMORY = 'memory',
  FILE = 'file',
  REDIS = 'redis',
}
