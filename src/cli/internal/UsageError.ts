// UsageError: a bad command line or setting; the CLI prints its message and exits with code 2.

/** Thrown for anything the user can fix by changing the command: bad flags, a missing database. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
