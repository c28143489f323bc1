// Test helper of the stack suites: reads the shipped dashboards and rule files and pulls every PromQL expression out of them.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { recordingRules, type StackSettings } from '../../grafana/src/queries.js';
import { alertRules, alertRulesYaml, recordingRulesYaml } from '../../grafana/src/rules.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DASHBOARD_DIR = join(REPO, 'grafana', 'dashboards');
export const RULES_DIR = join(REPO, 'prometheus', 'rules');

/** A PromQL expression and where it ships. */
export interface ShippedExpr {
  /** `poseidon-trading.json › Slippage percentiles › B`, `poseidon-alerts.yml › PoseidonDrawdown` */
  readonly where: string;
  readonly expr: string;
  readonly kind: 'panel' | 'recording' | 'alert';
}

/** A dashboard's query variable: name and its `label_values(selector, label)` definition. */
export interface ShippedVariable {
  readonly where: string;
  readonly name: string;
  readonly selector: string;
  readonly label: string;
}

interface PanelJson {
  title?: string;
  targets?: { expr?: string; refId?: string }[];
  panels?: PanelJson[];
}

export const dashboardFiles = (): string[] =>
  readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
export const ruleFiles = (): string[] =>
  readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => join(RULES_DIR, f));

/** Every `expr` of every panel (rows' nested panels included) of every dashboard. */
export function dashboardExprs(): ShippedExpr[] {
  const out: ShippedExpr[] = [];
  for (const file of dashboardFiles()) {
    const json = JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as { panels?: PanelJson[] };
    const walk = (panels: PanelJson[] | undefined): void => {
      for (const p of panels ?? []) {
        for (const t of p.targets ?? [])
          if (t.expr !== undefined) out.push({ where: `${file} › ${p.title} › ${t.refId}`, expr: t.expr, kind: 'panel' });
        walk(p.panels);
      }
    };
    walk(json.panels);
  }
  return out;
}

/** Every query variable of every dashboard. */
export function dashboardVariables(): ShippedVariable[] {
  const out: ShippedVariable[] = [];
  for (const file of dashboardFiles()) {
    const json = JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as {
      templating?: { list?: { type: string; name: string; query?: { query?: string } }[] };
    };
    for (const v of json.templating?.list ?? []) {
      if (v.type !== 'query') continue;
      const definition = v.query?.query ?? '';
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(definition);
      if (m === null) throw new Error(`${file}: variable ${v.name} is not label_values(selector, label): ${definition}`);
      out.push({ where: `${file} › $${v.name}`, name: v.name, selector: m[1]!, label: m[2]! });
    }
  }
  return out;
}

/** Every rule of every rule file. */
export function ruleExprs(): ShippedExpr[] {
  const out: ShippedExpr[] = [];
  for (const file of ruleFiles()) {
    const doc = parse(readFileSync(file, 'utf8')) as { groups: { rules: { alert?: string; record?: string; expr: string }[] }[] };
    for (const g of doc.groups) {
      for (const r of g.rules) {
        const name = r.alert ?? r.record ?? '?';
        out.push({ where: `${file.slice(RULES_DIR.length + 1)} › ${name}`, expr: String(r.expr), kind: r.alert ? 'alert' : 'recording' });
      }
    }
  }
  return out;
}

/** Grafana's interval variables as a dashboard over the last five minutes sets them, for {@link substitute}. */
export const PANEL_INTERVALS = Object.freeze({
  __rate_interval: '30s',
  __rate_interval_ms: '30000',
  __interval: '5s',
  __interval_ms: '5000',
  __range: '5m',
});

/** Grafana's variables replaced by concrete values; throws if any `$` is left. */
export function substitute(expr: string, values: Readonly<Record<string, string>>): string {
  const out = expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${whole} in ${expr}`);
    return value;
  });
  return out;
}

/**
 * An alert condition without its final threshold comparison (`signal > 0.1` → `signal`), or null
 * when the expression does not end in a comparison with a number.
 */
export function withoutThreshold(expr: string): string | null {
  const m = /^([\s\S]*\S)\s*(?:>|<|>=|<=|==|!=)\s*-?[\d.]+(?:e[+-]?\d+)?\s*$/.exec(expr);
  return m === null ? null : m[1]!;
}

/** The scrape job of the bots in the shipped prometheus.yml. */
export const BOT_JOB = 'poseidon-bot';

/**
 * The shipped prometheus.yml, pointed at `targets` with a 1 s scrape and evaluation interval, reading
 * `rules` (absolute paths; the shipped rule files by default) and sending alerts to `alertmanager` when given.
 */
export function testPrometheusConfig(
  targets: readonly string[],
  o: { readonly rules?: readonly string[]; readonly alertmanager?: string; readonly remoteWrite?: string } = {},
): string {
  const config = parse(readFileSync(join(REPO, 'prometheus', 'prometheus.yml'), 'utf8')) as {
    global: Record<string, unknown>;
    rule_files: string[];
    alerting?: unknown;
    remote_write?: unknown;
    scrape_configs: { job_name: string; scrape_interval?: string; authorization?: unknown; static_configs: { targets: string[] }[] }[];
  };
  const bot = config.scrape_configs.find((c) => c.job_name === BOT_JOB);
  if (bot === undefined) throw new Error(`prometheus.yml has no ${BOT_JOB} job`);
  // The test bots run without a token.
  delete bot.authorization;
  config.global = { ...config.global, scrape_interval: '1s', evaluation_interval: '1s' };
  config.rule_files = [...(o.rules ?? ruleFiles())];
  // Without an Alertmanager the alerts API shows the rule states.
  if (o.alertmanager === undefined) delete config.alerting;
  else config.alerting = { alertmanagers: [{ static_configs: [{ targets: [o.alertmanager] }] }] };
  if (o.remoteWrite !== undefined) config.remote_write = [{ url: o.remoteWrite, queue_config: { batch_send_deadline: '1s' } }];
  config.scrape_configs = [{ ...bot, scrape_interval: '1s', static_configs: [{ targets: [...targets] }] }];
  return stringify(config);
}

/** The project's rule files generated from `settings` (the shipped ones at shorter windows) into a temporary folder. */
export function generatedRuleFiles(settings: StackSettings): { readonly files: readonly string[]; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'poseidon-rules-'));
  const files = [join(dir, 'recording.yml'), join(dir, 'alerts.yml')] as const;
  writeFileSync(files[0], recordingRulesYaml(recordingRules(settings)));
  writeFileSync(files[1], alertRulesYaml(alertRules(settings)));
  return { files, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
