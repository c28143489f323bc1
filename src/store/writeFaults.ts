// Which storage failures are the rows' own fault (retrying cannot help) and which are the database's.

// SQLite result codes after which the rows themselves are at fault: retrying cannot succeed.
const PERMANENT_CODE = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

/** True when the batch was refused for its content: written row by row, only the bad rows are dropped. */
export function isPermanent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return PERMANENT_CODE.test(code);
  // Binding errors (a value SQLite cannot take) come as TypeError/RangeError without a code.
  return (error instanceof TypeError || error instanceof RangeError) && !/not open/i.test(error.message);
}

/** A failure as a writer thread reports it to the main thread: its message and its code, when it has a text one. */
export function faultOf(error: unknown): { message: string; code: string | null } {
  const code = (error as { code?: unknown } | null)?.code;
  return { message: error instanceof Error ? error.message : String(error), code: typeof code === 'string' ? code : null };
}
