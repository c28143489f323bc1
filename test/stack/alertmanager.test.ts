// amtool checks of the shipped alertmanager.yml: it is valid, and every alert of the rules reaches the receiver its severity calls for.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERT_RULES } from '../../grafana/src/rules.js';
import { findBinary } from '../helpers/promtool.js';
import { REPO } from './stackFiles.js';

const amtool = findBinary('amtool');
if (amtool === null) console.warn('amtool is not on PATH: skipping the Alertmanager routing checks (set CI=true to make this an error)');

const CONFIG = join(REPO, 'alertmanager', 'alertmanager.yml');

function run(args: string[]): { status: number | null; stdout: string; output: string } {
  const r = spawnSync(amtool!, args, { cwd: REPO, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout.trim(), output: `${r.stdout}${r.stderr}`.trim() };
}

/** The receiver `config` routes an alert with `labels` to, as amtool answers (its warnings go to stderr). */
const route = (config: string, labels: Record<string, string>): string =>
  run(['config', 'routes', 'test', `--config.file=${config}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]).stdout;

describe.skipIf(amtool === null)('amtool', () => {
  it('accepts alertmanager.yml', () => {
    const r = run(['check-config', CONFIG]);
    expect(r.status, r.output).toBe(0);
  });

  it('routes every page and critical alert to the pager, every warning to default', () => {
    const routes = Object.fromEntries(
      ALERT_RULES.map((r) => [
        r.alert,
        route(CONFIG, { alertname: r.alert, severity: r.labels.severity, job: 'poseidon-bot', bot: 'alpha' }),
      ]),
    );
    const expected = Object.fromEntries(ALERT_RULES.map((r) => [r.alert, r.labels.severity === 'warning' ? 'default' : 'pager']));
    expect(routes).toEqual(expected);
    expect(Object.values(expected)).toContain('pager');
    expect(route(CONFIG, { severity: 'critical' })).toBe('pager');
    expect(route(CONFIG, { severity: 'page' })).toBe('pager');
    expect(route(CONFIG, { severity: 'warning' })).toBe('default');
  });

  it('answers default for critical with the old page-only route (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'poseidon-am-'));
    try {
      const old = join(dir, 'alertmanager.yml');
      writeFileSync(old, readFileSync(CONFIG, 'utf8').replace(`severity=~"page|critical"`, 'severity="page"'));
      expect(route(old, { severity: 'critical' })).toBe('default');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
