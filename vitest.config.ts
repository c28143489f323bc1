// Vitest: a fast unit project (npm run test:unit) beside the integration project; npm test runs both.

import { defineConfig } from 'vitest/config';

/** The fast subset (`npm run test:unit`): logic only, no database file, server, child process or binary. */
const UNIT = [
  'test/unit/clock.test.ts',
  'test/unit/config.test.ts',
  'test/unit/errors.test.ts',
  'test/unit/event-log.test.ts',
  'test/unit/event-pipeline.test.ts',
  'test/unit/ids.test.ts',
  'test/unit/monitoring-system.test.ts',
  'test/unit/prometheus-text.test.ts',
  'test/unit/utf8-buffer.test.ts',
  'test/unit/validation.test.ts',
  'test/analytics/growth-tracker.test.ts',
  'test/analytics/pnl-ledger.test.ts',
  'test/analytics/ratios.test.ts',
  'test/analytics/statistics.test.ts',
];

const shared = { testTimeout: 30_000, hookTimeout: 30_000 };

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      // These files share nothing but the loaded modules, so one worker loads them once for all.
      {
        test: { ...shared, name: 'unit', include: UNIT, pool: 'threads', isolate: false, poolOptions: { threads: { singleThread: true } } },
      },
      { test: { ...shared, name: 'integration', include: ['test/**/*.test.ts'], exclude: UNIT, pool: 'forks' } },
    ],
  },
});
