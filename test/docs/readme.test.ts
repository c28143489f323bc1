// The README and CHANGELOG against the code: every setting, metric and alert a user can meet is documented.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARIABLES } from '../../src/config/MonitoringConfig.js';
import { DROPPED_RUNTIME_METRICS } from '../../src/telemetry/names.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const README = read('README.md');
const CHANGELOG = read('CHANGELOG.md');
const README_LINES = README.split('\n');

/** The text of the `## <title>` section (up to the next `## ` heading), or '' when there is none. */
function section(title: string): string {
  const start = README_LINES.findIndex((l) => l.trim() === `## ${title}`);
  if (start < 0) return '';
  const end = README_LINES.findIndex((l, i) => i > start && l.startsWith('## '));
  return README_LINES.slice(start, end < 0 ? undefined : end).join('\n');
}

/**
 * Every metric name spelled in names.ts. Read from the source text rather than one export, so a
 * metric added in a new constant is caught too; the runtime metrics left out of the exposition are not.
 */
function metricNames(): string[] {
  const source = read('src/telemetry/names.ts');
  const names = new Set([...source.matchAll(/['"`](poseidon_[a-z0-9_]+)['"`]/g)].map((m) => m[1]!));
  for (const dropped of DROPPED_RUNTIME_METRICS) names.delete(dropped);
  return [...names].sort();
}

/** Alert names of every rule file the stack ships. */
function alertNames(): string[] {
  const dir = join(ROOT, 'prometheus', 'rules');
  const names: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))) {
    const doc = parse(readFileSync(join(dir, file), 'utf8')) as { groups?: { rules?: { alert?: string }[] }[] } | null;
    for (const group of doc?.groups ?? []) for (const rule of group.rules ?? []) if (rule.alert) names.push(rule.alert);
  }
  return names;
}

describe('README.md', () => {
  it('has a row in the configuration table for every POSEIDON_* variable', () => {
    const table = section('Configuration');
    expect(table, 'a "## Configuration" section').not.toBe('');
    expect(ENV_VARIABLES.length).toBeGreaterThan(0);
    const missing = ENV_VARIABLES.filter((name) => !table.split('\n').some((l) => l.startsWith(`| \`${name}\``)));
    expect(missing, 'variables without a `| `NAME` |` row under "## Configuration"').toEqual([]);
  });

  it('names every metric of src/telemetry/names.ts under "Metrics exported"', () => {
    const metrics = section('Metrics exported');
    expect(metrics, 'a "## Metrics exported" section').not.toBe('');
    const names = metricNames();
    expect(names).toContain('poseidon_trades_total');
    const missing = names.filter((name) => !metrics.includes(`\`${name}\``));
    expect(missing, 'metrics not named (in backticks) under "## Metrics exported"').toEqual([]);
  });

  it('has a "#### Name" runbook heading for every alert of prometheus/rules', () => {
    const alerts = alertNames();
    expect(alerts.length).toBeGreaterThan(0);
    const headings = new Set(README_LINES.filter((l) => l.startsWith('#### ')).map((l) => l.slice(5).trim()));
    const missing = alerts.filter((name) => !headings.has(name));
    expect(missing, 'alerts without a runbook heading (their runbook_url anchor is the lower-cased name)').toEqual([]);
  });

  it('points every runbook_url at a heading that exists', () => {
    const rules = readdirSync(join(ROOT, 'prometheus', 'rules'))
      .filter((f) => f.endsWith('.yml'))
      .map((f) => read(join('prometheus', 'rules', f)))
      .join('\n');
    const anchors = [...rules.matchAll(/runbook_url: \S*README\.md#([a-z0-9-]+)/g)].map((m) => m[1]!);
    expect(anchors.length).toBe(alertNames().length);
    const headingAnchors = new Set(README_LINES.filter((l) => l.startsWith('#### ')).map((l) => l.slice(5).trim().toLowerCase()));
    expect(anchors.filter((a) => !headingAnchors.has(a))).toEqual([]);
  });
});

describe('CHANGELOG.md', () => {
  it('has an [Unreleased] section', () => {
    expect(CHANGELOG).toMatch(/^## \[Unreleased\]/m);
  });
});
