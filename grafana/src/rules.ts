// The Prometheus rule files as data: recording rules from the queries module and the alert rules with their annotations.

import { stringify } from 'yaml';
import { STACK_CONFIG } from './config.js';
import { alertExprs, type RecordingRule, recordingRules, type StackSettings } from './queries.js';

/** One alert rule as Prometheus reads it. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'page' | 'critical' | 'warning' };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

const alertRule = (
  C: StackSettings,
  name: string,
  expr: string,
  forDuration: string,
  severity: AlertRule['labels']['severity'],
  summary: string,
  description: string,
): AlertRule => ({
  alert: name,
  expr,
  for: forDuration,
  labels: { severity },
  annotations: { summary, description, runbook_url: `${C.runbookBaseUrl}#${name.toLowerCase()}` },
});

const pct = (ratio: number): string => `${Number((ratio * 100).toFixed(4))}%`;
const BOT = '{{ $labels.bot }} ({{ $labels.instance }})';
/** {@link BOT}, or the instance alone for a target whose bot name was never scraped. */
const BOT_OR_INSTANCE = '{{ with $labels.bot }}{{ . }} ({{ $labels.instance }}){{ else }}{{ $labels.instance }}{{ end }}';

/** Every alert under settings `C`, in the order of the runbook. */
export function alertRules(C: StackSettings): readonly AlertRule[] {
  const ALERT_EXPR = alertExprs(C);
  const alert = (...args: Parameters<typeof alertRule> extends [StackSettings, ...infer Rest] ? Rest : never): AlertRule =>
    alertRule(C, ...args);
  return Object.freeze([
    alert(
      'PoseidonCriticalError',
      ALERT_EXPR.criticalError,
      '0m',
      'page',
      'Critical {{ $labels.error_type }} error on {{ $labels.bot }}',
      `${BOT} reported a critical {{ $labels.error_type }} error in the last ${C.criticalErrorWindow}.`,
    ),
    alert(
      'PoseidonHighErrorRate',
      ALERT_EXPR.highErrorRate,
      C.errorRatioFor,
      'warning',
      'High error rate on {{ $labels.bot }}',
      `{{ $value | humanizePercentage }} of the events of ${BOT} are errors (threshold ${pct(C.errorRatio)}).`,
    ),
    alert(
      'PoseidonTradingLoopStalled',
      ALERT_EXPR.loopStalled,
      C.loopStalledFor,
      'critical',
      'Loop {{ $labels.loop }} on {{ $labels.bot }} has not succeeded for {{ $value | humanizeDuration }}',
      `The last successful run of loop {{ $labels.loop }} on ${BOT} ended {{ $value | humanizeDuration }} ago (threshold ${C.loopStalledSeconds} s).`,
    ),
    alert(
      'PoseidonLoopFailureRatio',
      ALERT_EXPR.loopFailureRatio,
      C.loopFailureFor,
      'warning',
      'Loop {{ $labels.loop }} on {{ $labels.bot }} fails often',
      `{{ $value | humanizePercentage }} of the runs of loop {{ $labels.loop }} on ${BOT} failed over ${C.rateWindow} (threshold ${pct(C.loopFailureRatio)}).`,
    ),
    alert(
      'PoseidonNoTrades',
      ALERT_EXPR.noTrades,
      C.noTradesFor,
      'warning',
      `No trades on {{ $labels.bot }} for ${C.noTradesHours} h`,
      `${BOT} has run its loops but made no trade in ${C.noTradesHours} h.`,
    ),
    alert(
      'PoseidonHighSlippage',
      ALERT_EXPR.highSlippage,
      C.slippageFor,
      'warning',
      'High slippage on {{ $labels.symbol }} ({{ $labels.bot }})',
      `p95 slippage of {{ $labels.symbol }} trades on ${BOT} is {{ $value }} bps over ${C.rateWindow} (threshold ${C.slippageP95Bps} bps).`,
    ),
    alert(
      'PoseidonSlowExecution',
      ALERT_EXPR.slowExecution,
      C.executionFor,
      'warning',
      'Slow order execution on {{ $labels.symbol }} ({{ $labels.bot }})',
      `p95 execution time of {{ $labels.symbol }} trades on ${BOT} is {{ $value }} s over ${C.rateWindow} (threshold ${C.executionP95Seconds} s).`,
    ),
    alert(
      'PoseidonDrawdown',
      ALERT_EXPR.drawdown,
      C.drawdownFor,
      'critical',
      'Balance of {{ $labels.bot }} is {{ $value | humanizePercentage }} below its 24 h high',
      `The account balance of ${BOT} fell {{ $value | humanizePercentage }} from its 24 h high (threshold ${pct(C.drawdownRatio)}).`,
    ),
    alert(
      'PoseidonEquityDrawdown',
      ALERT_EXPR.equityDrawdown,
      C.equityDrawdownFor,
      'warning',
      'Equity of {{ $labels.bot }} is {{ $value | humanizePercentage }} below its 24 h high',
      `The equity (balance + unrealized P&L) of ${BOT} fell {{ $value | humanizePercentage }} from its 24 h high (threshold ${pct(C.equityDrawdownRatio)}): open positions are losing.`,
    ),
    alert(
      'PoseidonBotDown',
      ALERT_EXPR.botDown,
      C.botDownFor,
      'critical',
      `Bot ${BOT_OR_INSTANCE} is down`,
      `Prometheus cannot scrape ${BOT_OR_INSTANCE} (job {{ $labels.job }}): the bot or its metrics server is down.`,
    ),
    alert(
      'PoseidonStoreWriteFailures',
      ALERT_EXPR.storeWriteFailures,
      C.storeFor,
      'warning',
      'History writes fail on {{ $labels.bot }}',
      `{{ $value }} history flushes of ${BOT} failed in the last ${C.storeWindow}; rows wait in the buffer and are retried.`,
    ),
    alert(
      'PoseidonStoreDroppedRows',
      ALERT_EXPR.storeDroppedRows,
      C.storeFor,
      'critical',
      'History rows dropped on {{ $labels.bot }}',
      `{{ $value }} history rows of ${BOT} were dropped in the last ${C.storeWindow} because the write buffer was full.`,
    ),
  ]);
}

/** Every alert under the shipped settings. */
export const ALERT_RULES = alertRules(STACK_CONFIG);

const HEADER = (what: string): string =>
  `# ${what}\n# Generated by \`npm run dashboards\` from grafana/src/ (queries.ts, rules.ts, config.ts): edit those, not this file.\n`;

/** `prometheus/rules/poseidon-recording.yml` (of other settings for tests at short windows). */
export function recordingRulesYaml(rules: readonly RecordingRule[] = recordingRules(STACK_CONFIG)): string {
  const doc = { groups: [{ name: 'poseidon.recording', rules: rules.map((r) => ({ record: r.record, expr: r.expr })) }] };
  return HEADER('poseidon-monitor recording rules: the expressions alerts and dashboards share.') + stringify(doc, { lineWidth: 0 });
}

/** `prometheus/rules/poseidon-alerts.yml` (of other settings for tests at short windows). */
export function alertRulesYaml(rules: readonly AlertRule[] = ALERT_RULES): string {
  const doc = { groups: [{ name: 'poseidon.alerts', rules: rules.map((r) => ({ ...r })) }] };
  return HEADER('poseidon-monitor alert rules; runbooks are in docs/runbook.md, one section per alert.') + stringify(doc, { lineWidth: 0 });
}
