// The version of this package, for the build-info metric and the OpenTelemetry resource.

import { readFileSync } from 'node:fs';

/**
 * Read once from package.json, which sits two levels above this file both in the sources
 * (`src/telemetry/`) and in the build (`dist/telemetry/`). 'unknown' if it cannot be read, so a
 * repackaged copy still starts.
 */
export const PACKAGE_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' && pkg.version !== '' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
})();
