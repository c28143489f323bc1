// The generated stack files: committed JSON/YAML equals what grafana/src/ generates, and the dashboards and rules follow the house rules.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STACK_CONFIG } from '../../grafana/src/config.js';
import { renderStack } from '../../grafana/src/generate.js';
import { METRICS, RUNTIME_METRICS } from '../../src/telemetry/names.js';
import { dashboardExprs, REPO, ruleExprs } from './stackFiles.js';

describe('generated stack files', () => {
  it('are committed exactly as grafana/src generates them (run `npm run dashboards` after editing it)', () => {
    const rendered = renderStack();
    expect([...rendered.keys()].sort()).toEqual([
      'docs/dashboards.md',
      'grafana/PANELS.md',
      'grafana/dashboards/poseidon-fleet.json',
      'grafana/dashboards/poseidon-performance.json',
      'grafana/dashboards/poseidon-summary.json',
      'grafana/dashboards/poseidon-trading.json',
      'prometheus/rules/poseidon-alerts.yml',
      'prometheus/rules/poseidon-recording.yml',
    ]);
    for (const [path, text] of rendered) expect(readFileSync(join(REPO, path), 'utf8'), path).toBe(text);
  });

  it('generate the same text twice (no timestamps or random ids)', () => {
    expect([...renderStack()]).toEqual([...renderStack()]);
  });
});

describe('dashboards', () => {
  const load = (name: string) =>
    JSON.parse(readFileSync(join(REPO, 'grafana', 'dashboards', `${name}.json`), 'utf8')) as {
      uid: string;
      title: string;
      panels: { id: number; type: string; title: string; description?: string; datasource?: { uid: string }; targets?: unknown[] }[];
      templating: { list: { name: string }[] };
    };

  it('have stable uids, the job/bot/instance variables, and symbol on the trading dashboard', () => {
    for (const [key, uid] of Object.entries(STACK_CONFIG.dashboardUids)) {
      const d = load(`poseidon-${key}`);
      expect(d.uid).toBe(uid);
      const vars = d.templating.list.map((v) => v.name);
      expect(vars).toEqual(expect.arrayContaining(['datasource', 'job', 'bot', 'instance']));
      if (key === 'trading') expect(vars).toContain('symbol');
    }
  });

  it('give every panel a unique id, a description, the datasource variable and at least one query', () => {
    for (const key of Object.keys(STACK_CONFIG.dashboardUids)) {
      const panels = load(`poseidon-${key}`).panels.filter((p) => p.type !== 'row');
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const p of panels) {
        expect(p.description, `${key} › ${p.title}`).toBeTruthy();
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template
        expect(p.datasource?.uid, `${key} › ${p.title}`).toBe('${datasource}');
        expect(p.targets?.length, `${key} › ${p.title}`).toBeGreaterThan(0);
      }
    }
  });

  it('select every panel query by the job, instance and bot variables', () => {
    for (const e of dashboardExprs()) {
      expect(e.expr, e.where).toContain('job=~"$job"');
      expect(e.expr, e.where).toContain('instance=~"$instance"');
      expect(e.expr, e.where).toContain('bot=~"$bot"');
    }
  });

  it('offer a bot variable of every bot, all selected by default, several at a time', () => {
    for (const key of Object.keys(STACK_CONFIG.dashboardUids)) {
      const d = load(`poseidon-${key}`) as unknown as {
        templating: {
          list: { name: string; multi?: boolean; includeAll?: boolean; current?: { value: unknown }; query?: { query?: string } }[];
        };
      };
      const bot = d.templating.list.find((v) => v.name === 'bot');
      expect(bot, key).toMatchObject({ multi: true, includeAll: true, current: { value: '$__all' } });
      expect(bot?.query?.query, key).toBe('label_values(poseidon_build_info{job=~"$job"}, bot)');
      // The variables after it narrow to the chosen bots.
      for (const v of d.templating.list.filter((x) => x.name === 'instance' || x.name === 'symbol'))
        expect(v.query?.query, `${key} › ${v.name}`).toContain('bot=~"$bot"');
    }
  });

  it('cover the monitor metrics they promise', () => {
    const all = dashboardExprs()
      .map((e) => e.expr)
      .join('\n');
    const shown = [
      METRICS.trades,
      METRICS.tradeVolume,
      METRICS.tradeFees,
      METRICS.tradeExecution,
      METRICS.tradeSlippage,
      METRICS.realizedPnl,
      METRICS.accountBalance,
      METRICS.equity,
      METRICS.unrealizedPnl,
      METRICS.growthRatio,
      METRICS.loopDuration,
      METRICS.loopsActive,
      METRICS.errors,
      METRICS.dbSize,
      METRICS.liquiditySpread,
      METRICS.performance,
    ].map((m) => m.name);
    for (const name of [...shown, RUNTIME_METRICS.cpuSeconds, RUNTIME_METRICS.residentMemory, RUNTIME_METRICS.eventLoopLagP99]) {
      expect(all, name).toContain(name);
    }
  });
});

describe('rules', () => {
  const alerts = parse(readFileSync(join(REPO, 'prometheus', 'rules', 'poseidon-alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string; labels: Record<string, string>; annotations: Record<string, string> }[] }[];
  };

  it('give every alert a severity, summary, description and a runbook anchor of its own', () => {
    const rules = alerts.groups.flatMap((g) => g.rules);
    for (const r of rules) {
      expect(['page', 'critical', 'warning'], r.alert).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      expect(r.annotations.description, r.alert).toBeTruthy();
      expect(r.annotations.runbook_url, r.alert).toBe(`${STACK_CONFIG.runbookBaseUrl}#${r.alert.toLowerCase()}`);
      expect(r.alert).toMatch(/^Poseidon[A-Z][A-Za-z]+$/);
    }
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'PoseidonCriticalError',
        'PoseidonHighErrorRate',
        'PoseidonTradingLoopStalled',
        'PoseidonLoopFailureRatio',
        'PoseidonNoTrades',
        'PoseidonHighSlippage',
        'PoseidonSlowExecution',
        'PoseidonDrawdown',
        'PoseidonBotDown',
        'PoseidonStoreWriteFailures',
        'PoseidonStoreDroppedRows',
      ]),
    );
  });

  it('use every recording rule somewhere (an alert or a dashboard)', () => {
    const users = [
      ...ruleExprs().filter((r) => r.kind === 'alert'),
      ...dashboardExprs(),
      ...ruleExprs().filter((r) => r.kind === 'recording'),
    ];
    for (const rec of ruleExprs().filter((r) => r.kind === 'recording')) {
      const name = rec.where.split(' › ')[1]!;
      const usedBy = users.filter((u) => u.where !== rec.where && u.expr.includes(name));
      expect(usedBy.length, `${name} is recorded but never used`).toBeGreaterThan(0);
    }
  });

  it("count events exactly everywhere: no rate() or increase() over an event counter, which miss a new series' first sample", () => {
    // countIn's own increase(), in its reset branch, is exact: the series existed before its reset.
    const resetBranch = /increase\(([^[]+)\[[^\]]+\]\) and resets\(\1\[/g;
    const counted = new Set<string>();
    for (const e of [...ruleExprs(), ...dashboardExprs()])
      for (const m of e.expr.replace(resetBranch, '').matchAll(/\b(?:i?rate|increase|delta)\(\s*([a-z_:]+)/g))
        if (m[1]!.endsWith('_total') || m[1]!.endsWith('_bucket')) counted.add(`${m[1]} in ${e.where}`);
    // CPU seconds and network bytes are resource totals, not events: exposed from the start, above 0 from the first scrape.
    const resources = [RUNTIME_METRICS.cpuSeconds, METRICS.systemNetworkReceive.name, METRICS.systemNetworkTransmit.name];
    expect([...counted].filter((x) => !resources.some((r) => x.startsWith(`${r} `)))).toEqual([]);
  });
});

describe('panel units and colours', () => {
  type Panel = {
    title: string;
    type: string;
    fieldConfig?: {
      defaults?: { unit?: string; thresholds?: { steps: { value: number | null; color: string }[] }; custom?: Record<string, unknown> };
    };
  };
  const panels = (key: string): Panel[] =>
    (JSON.parse(readFileSync(join(REPO, 'grafana', 'dashboards', `poseidon-${key}.json`), 'utf8')) as { panels: Panel[] }).panels;
  const panel = (key: string, title: string, type?: string): Panel => {
    const p = panels(key).find((x) => x.title === title && (type === undefined || x.type === type));
    if (p === undefined) throw new Error(`no panel ${title} on ${key}`);
    return p;
  };

  it('shows money in the configured currency, P&L red or green by sign, balances in one neutral colour', () => {
    for (const [key, title] of [
      ['summary', 'Balance'],
      ['summary', 'Equity'],
      ['summary', 'Unrealized P&L'],
      ['summary', 'Realized P&L 24 h'],
      ['summary', 'Volume 24 h'],
      ['trading', 'Realized P&L by symbol'],
      ['trading', 'Balance and equity'],
      ['trading', 'Fees per interval'],
    ] as const)
      expect(panel(key, title).fieldConfig?.defaults?.unit, `${key} › ${title}`).toBe(STACK_CONFIG.currencyUnit);
    for (const title of ['Unrealized P&L', 'Realized P&L 24 h'])
      expect(panel('summary', title, 'stat').fieldConfig?.defaults?.thresholds?.steps).toEqual([
        { value: null, color: 'red' },
        { value: 0, color: 'green' },
      ]);
    expect(panel('summary', 'Balance').fieldConfig?.defaults?.thresholds?.steps).toEqual([{ value: null, color: 'text' }]);
  });

  it('gives slippage in bps and draws each alert threshold as a line', () => {
    expect(panel('trading', 'Slippage percentiles').fieldConfig?.defaults?.unit).toBe('suffix: bps');
    const success = panel('performance', 'Loop success ratio').fieldConfig?.defaults;
    expect(success?.thresholds?.steps).toEqual([
      { value: null, color: 'red' },
      { value: 1 - STACK_CONFIG.loopFailureRatio, color: 'green' },
    ]);
    expect(success?.custom?.thresholdsStyle).toEqual({ mode: 'line' });
    expect(panel('performance', 'Time since last success').fieldConfig?.defaults?.thresholds?.steps.at(-1)?.value).toBe(
      STACK_CONFIG.loopStalledSeconds,
    );
  });
});
