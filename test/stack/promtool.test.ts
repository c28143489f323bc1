// promtool checks of the shipped Prometheus files: config and rules are valid, and every alert's unit tests pass.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findBinary } from '../helpers/promtool.js';
import { REPO, RULES_DIR, ruleExprs, ruleFiles } from './stackFiles.js';

const promtool = findBinary('promtool');
if (promtool === null) console.warn('promtool is not on PATH: skipping the promtool checks (set CI=true to make this an error)');

const TESTS_DIR = join(REPO, 'prometheus', 'tests');
/** Where docker-compose.yml mounts the bot's token for Prometheus. */
const TOKEN_FILE = '/run/secrets/poseidon_api_token';
const testFiles = (): string[] =>
  readdirSync(TESTS_DIR)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => join(TESTS_DIR, f));

function run(args: string[]): { status: number | null; output: string } {
  const r = spawnSync(promtool!, args, { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe.skipIf(promtool === null)('promtool', () => {
  it('accepts the rule files', () => {
    const r = run(['check', 'rules', ...ruleFiles()]);
    expect(r.output).not.toMatch(/FAILED|error/i);
    expect(r.status, r.output).toBe(0);
  });

  it('accepts prometheus.yml with its rule files (its token file where compose mounts the secret)', () => {
    const shipped = readFileSync(join(REPO, 'prometheus', 'prometheus.yml'), 'utf8');
    expect(shipped).toContain(`credentials_file: ${TOKEN_FILE}`);
    const dir = mkdtempSync(join(tmpdir(), 'poseidon-promtool-'));
    try {
      writeFileSync(join(dir, 'token'), 'a-token-of-sixteen-characters\n', { mode: 0o600 });
      const config = shipped.replace(TOKEN_FILE, join(dir, 'token')).replace('- rules/*.yml', `- ${RULES_DIR}/*.yml`);
      writeFileSync(join(dir, 'prometheus.yml'), config);
      const r = run(['check', 'config', join(dir, 'prometheus.yml')]);
      expect(r.status, r.output).toBe(0);
      expect(r.output).toContain(`SUCCESS: ${ruleFiles().length} rule files found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes the alert unit tests', () => {
    const r = run(['test', 'rules', ...testFiles()]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).not.toContain('FAILED');
  });

  it('fails a unit test that expects the wrong annotation (the tests can fail)', () => {
    const original = readFileSync(testFiles()[0]!, 'utf8');
    const broken = original
      .replace('summary: Critical api_error error on alpha', 'summary: Critical api_error error on beta')
      .replaceAll('../rules/', `${RULES_DIR}/`);
    expect(broken).not.toBe(original);
    const dir = mkdtempSync(join(tmpdir(), 'poseidon-promtool-'));
    try {
      writeFileSync(join(dir, 'broken.test.yml'), broken);
      const r = run(['test', 'rules', join(dir, 'broken.test.yml')]);
      expect(r.status).not.toBe(0);
      // It failed on the annotation, not on a missing file: the got/exp diff shows both summaries.
      expect(r.output).toContain('FAILED');
      expect(r.output).toContain('summary="Critical api_error error on beta"');
      expect(r.output).toContain('summary="Critical api_error error on alpha"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('alert unit test coverage', () => {
  interface AlertTest {
    alertname: string;
    exp_alerts?: unknown[];
  }
  const cases = testFiles().flatMap((file) => {
    const doc = parse(readFileSync(file, 'utf8')) as { tests: { alert_rule_test?: AlertTest[] }[] };
    return doc.tests.flatMap((t) => t.alert_rule_test ?? []);
  });

  it('has, for every alert, a case where it fires and one where it stays silent', () => {
    const alerts = ruleExprs()
      .filter((r) => r.kind === 'alert')
      .map((r) => r.where.split(' › ')[1]!);
    expect(alerts.length).toBeGreaterThanOrEqual(12);
    for (const alert of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert} never fires in prometheus/tests`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert} is never asserted silent in prometheus/tests`,
      ).toBe(true);
    }
  });
});
