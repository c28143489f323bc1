// The promtool test helper: found on PATH, missing is a skip locally and a failure under CI.

import { afterEach, describe, expect, it } from 'vitest';
import { checkMetrics, findBinary } from '../helpers/promtool.js';

const savedCi = process.env.CI;
afterEach(() => {
  if (savedCi === undefined) delete process.env.CI;
  else process.env.CI = savedCi;
});

describe('findBinary', () => {
  it('returns null for a missing binary locally, and throws when CI is set', () => {
    delete process.env.CI;
    expect(findBinary('poseidon-no-such-binary')).toBeNull();
    process.env.CI = 'true';
    expect(() => findBinary('poseidon-no-such-binary')).toThrow(/CI is set/);
  });

  it('finds an installed binary by absolute path', () => {
    delete process.env.CI;
    expect(findBinary('node')).toMatch(/\/node$/);
  });
});

describe('checkMetrics', () => {
  const promtool = findBinary('promtool');
  it.skipIf(promtool === null)('accepts clean exposition and reports lint problems', () => {
    expect(checkMetrics(promtool!, '# HELP x_total X.\n# TYPE x_total counter\nx_total 1\n')).toMatchObject({ ok: true, output: '' });
    const bad = checkMetrics(promtool!, '# HELP x_total X.\n# TYPE x_total gauge\nx_total 1\n');
    expect(bad.ok).toBe(false);
    expect(bad.output).toContain('non-counter metrics should not have "_total" suffix');
  });
});
