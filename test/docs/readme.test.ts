// The README, docs/ and CHANGELOG against the code: every setting, metric and alert a user can meet is documented, and every link lands.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STACK_CONFIG } from '../../grafana/src/config.js';
import { CONFIGURATION_PAGE, configurationTable, withTable } from '../../scripts/gen-config-docs.js';
import { ENV_VARIABLES } from '../../src/config/MonitoringConfig.js';
import { DROPPED_RUNTIME_METRICS } from '../../src/telemetry/names.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const DOCS = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);

/** Lines of a Markdown text outside fenced code blocks. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && !line.startsWith('```');
  });
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(text)) {
    const heading = /^#{1,6} (.+)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** The `## <title>` headings of a page. */
const sections = (text: string): string[] => prose(text).flatMap((l) => (l.startsWith('## ') ? [l.slice(3).trim()] : []));

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

interface Rule {
  readonly alert?: string;
  readonly annotations?: { readonly runbook_url?: string };
}

/** Alerting rules of every rule file the stack ships. */
function alertRules(): Rule[] {
  const dir = join(ROOT, 'prometheus', 'rules');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .flatMap((file) => {
      const doc = parse(readFileSync(join(dir, file), 'utf8')) as { groups?: { rules?: Rule[] }[] } | null;
      return (doc?.groups ?? []).flatMap((g) => g.rules ?? []).filter((r) => r.alert !== undefined);
    });
}

describe('README.md', () => {
  const readme = read('README.md');

  it('stays short: at most 20,000 bytes', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(20_000);
  });

  it('keeps the two commands, the install notes and the integration example', () => {
    expect(sections(readme)).toEqual(expect.arrayContaining(['Install', 'The two commands', 'Using it in a bot']));
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
    expect(readme).toMatch(/```ts\nimport \{[^}]*MonitoringSystem[^}]*\} from 'poseidon-monitor';/);
  });

  it('links every page of docs/', () => {
    const linked = new Set([...readme.matchAll(/\]\((docs\/[^)#]+\.md)/g)].map((m) => m[1]));
    expect(DOCS.filter((page) => !linked.has(page))).toEqual([]);
  });
});

describe('docs/', () => {
  it('has at least 8 topic pages', () => {
    expect(DOCS.length).toBeGreaterThanOrEqual(8);
  });

  it('has a generated configuration table equal to what npm run docs:config writes', async () => {
    const page = readFileSync(CONFIGURATION_PAGE, 'utf8');
    expect(page, 'docs/configuration.md is out of date: run npm run docs:config').toBe(withTable(page, await configurationTable()));
  });

  it('has a configuration row for every POSEIDON_* variable', () => {
    const rows = read('docs/configuration.md').split('\n');
    expect(ENV_VARIABLES.length).toBeGreaterThan(0);
    const missing = ENV_VARIABLES.filter((name) => !rows.some((l) => l.startsWith(`| \`${name}\``)));
    expect(missing, 'variables without a `| `NAME` |` row in docs/configuration.md').toEqual([]);
  });

  it('names every metric of src/telemetry/names.ts in docs/metrics.md', () => {
    const metrics = read('docs/metrics.md');
    const names = metricNames();
    expect(names).toContain('poseidon_trades_total');
    const missing = names.filter((name) => !metrics.includes(`\`${name}\``));
    expect(missing, 'metrics not named (in backticks) in docs/metrics.md').toEqual([]);
  });

  it('has a "## Name" runbook section for every alert of prometheus/rules', () => {
    const alerts = alertRules().map((r) => r.alert!);
    expect(alerts.length).toBeGreaterThan(0);
    const headings = new Set(sections(read('docs/runbook.md')));
    expect(
      alerts.filter((name) => !headings.has(name)),
      'alerts without a runbook section',
    ).toEqual([]);
  });

  it('points every runbook_url at its own alert section of docs/runbook.md', () => {
    expect(STACK_CONFIG.runbookBaseUrl).toMatch(/\/docs\/runbook\.md$/);
    const anchors = headingAnchors(read('docs/runbook.md'));
    for (const rule of alertRules()) {
      const url = rule.annotations?.runbook_url ?? '';
      expect(url, rule.alert).toBe(`${STACK_CONFIG.runbookBaseUrl}#${rule.alert!.toLowerCase()}`);
      expect(anchors.has(rule.alert!.toLowerCase()), `${rule.alert}: no such anchor in docs/runbook.md`).toBe(true);
    }
  });
});

describe('links', () => {
  it.each(['README.md', 'CHANGELOG.md', ...DOCS])('of %s land on files and headings that exist', (page) => {
    const broken: string[] = [];
    for (const line of prose(read(page))) {
      for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue; // http(s) and mailto: not checked offline
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        const file = path === '' ? join(ROOT, page) : resolve(ROOT, dirname(page), path);
        if (!existsSync(file)) {
          broken.push(`${target}: no file ${relative(ROOT, file)}`);
          continue;
        }
        if (anchor !== undefined && !headingAnchors(readFileSync(file, 'utf8')).has(anchor)) {
          broken.push(`${target}: no heading #${anchor} in ${relative(ROOT, file)}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('CHANGELOG.md', () => {
  const changelog = read('CHANGELOG.md');

  it('is a page, not a diary: at most 150 lines', () => {
    expect(changelog.trimEnd().split('\n').length).toBeLessThanOrEqual(150);
  });

  it("has a section for package.json's version", () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    expect(changelog).toMatch(new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\]`, 'm'));
  });
});
