// End-to-end alert delivery: bot processes, a real Prometheus running the project's rules (at short windows) and a real
// Alertmanager running the project's routing, into a local webhook receiver: a critical error, a stalled loop and a
// killed bot each page, and each resolves.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { STACK_CONFIG } from '../../grafana/src/config.js';
import { durationSeconds, recordedNames, type StackSettings } from '../../grafana/src/queries.js';
import {
  type AlertmanagerServer,
  findAlertmanager,
  startAlertmanager,
  startWebhookReceiver,
  type WebhookAlert,
  type WebhookReceiver,
} from '../helpers/alertmanager.js';
import { findPrometheus, type PrometheusServer, startPrometheus } from '../helpers/prometheus.js';
import { type BotProcess, startBot } from './bots.js';
import { BOT_JOB, dashboardExprs, generatedRuleFiles, REPO, substitute, testPrometheusConfig } from './stackFiles.js';

const prometheusBinary = findPrometheus();
const alertmanagerBinary = findAlertmanager();
const missing = prometheusBinary === null || alertmanagerBinary === null;
if (missing) console.warn('prometheus or alertmanager is not on PATH: skipping alert delivery (set CI=true to make this an error)');

/** The shipped settings at windows short enough for a test: the same rules, faster. */
const SHORT: StackSettings = {
  ...STACK_CONFIG,
  criticalErrorWindow: '15s',
  // The recorded rates and percentiles over 30 s: a new series' first events can be checked in them within the test.
  rateWindow: '30s',
  loopStalledSeconds: 600,
  loopStalledFor: '0s',
  botDownFor: '0s',
};

/** The shipped alertmanager.yml with both receivers posting to `url` and timings of a second. */
function alertmanagerConfig(url: string): string {
  const config = parse(readFileSync(join(REPO, 'alertmanager', 'alertmanager.yml'), 'utf8')) as {
    route: Record<string, unknown> & { routes?: Record<string, unknown>[] };
    receivers: { name: string; webhook_configs?: unknown }[];
  };
  const fast = { group_wait: '0s', group_interval: '1s' };
  config.route = { ...config.route, ...fast, routes: (config.route.routes ?? []).map((r) => ({ ...r, ...fast })) };
  for (const r of config.receivers) r.webhook_configs = [{ url: `${url}/${r.name}`, send_resolved: true }];
  return stringify(config);
}

describe.skipIf(missing)('alert delivery through a real Alertmanager', () => {
  let receiver: WebhookReceiver;
  let alertmanager: AlertmanagerServer;
  let prometheus: PrometheusServer;
  let rules: ReturnType<typeof generatedRuleFiles> | undefined;
  const bots: BotProcess[] = [];
  let alpha: BotProcess;
  let bravo: BotProcess;
  let charlie: BotProcess;
  let delta: BotProcess;

  /** Alerts named `alertname` for `bot` that reached `receiverName` with `status`. */
  const delivered = (receiverName: string, alertname: string, bot: string, status: 'firing' | 'resolved'): WebhookAlert[] =>
    receiver.received
      .filter((n) => n.receiver === receiverName)
      .flatMap((n) => n.alerts)
      .filter((a) => a.labels.alertname === alertname && a.labels.bot === bot && a.status === status);
  const waitDelivered = async (receiverName: string, alertname: string, bot: string, status: 'firing' | 'resolved', timeoutMs = 30_000) => {
    try {
      await prometheus.waitFor(
        `${alertname} ${status} for ${bot} at ${receiverName}`,
        async () => delivered(receiverName, alertname, bot, status).length > 0,
        timeoutMs,
      );
    } catch (error) {
      const name = (a: { labels: Record<string, string> }) => `${a.labels.alertname}/${a.labels.bot}`;
      const seen = receiver.received.map((n) => `${n.receiver}: ${n.alerts.map((a) => `${name(a)}/${a.status}`).join(' ')}`);
      const alerts = (await prometheus.alerts()).map((a) => `${name(a)}/${a.state}`);
      throw new Error(`${(error as Error).message}\nreceived:\n${seen.join('\n')}\nPrometheus alerts: ${alerts.join(' ')}`);
    }
  };
  /** Waits until Prometheus has scraped `bot` at least `n` times. */
  const scraped = (bot: BotProcess, n: number) =>
    prometheus.waitFor(`${n} scrapes of ${bot.name}`, async () => {
      const r = await prometheus.query(`count_over_time(up{instance="${bot.instance}"}[1m])`);
      return r.ok && Number(r.series[0]?.value[1] ?? 0) >= n;
    });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    alertmanager = await startAlertmanager(alertmanagerBinary!, alertmanagerConfig(receiver.url));
    // bravo's clock runs an hour behind: its loop last succeeded an hour ago, a stalled loop.
    [alpha, bravo, charlie, delta] = await Promise.all([
      startBot('alpha'),
      startBot('bravo', 0, { BOT_CLOCK_LAG_MS: '3600000' }),
      startBot('charlie'),
      startBot('delta'),
    ]);
    bots.push(alpha, bravo, charlie, delta);
    await bravo.send({ do: 'loop', loop: 'main', success: true });
    rules = generatedRuleFiles(SHORT);
    prometheus = await startPrometheus(
      prometheusBinary!,
      testPrometheusConfig(
        bots.map((b) => b.instance),
        { rules: rules.files, alertmanager: alertmanager.address },
      ),
      20_000,
      ['--rules.alert.resend-delay=1s'],
    );
    await Promise.all(bots.map((b) => scraped(b, 2)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(bots.map((b) => b.stop()));
    await prometheus?.stop();
    await alertmanager?.stop();
    await receiver?.stop();
    rules?.remove();
  });

  it('pages a critical error once, and resolves it when the window has passed', async () => {
    await alpha.send({ do: 'error', severity: 'critical' });
    await waitDelivered('pager', 'PoseidonCriticalError', 'alpha', 'firing');
    await waitDelivered('pager', 'PoseidonCriticalError', 'alpha', 'resolved', 45_000);
    const firing = delivered('pager', 'PoseidonCriticalError', 'alpha', 'firing');
    expect(firing.length).toBe(1);
    expect(firing[0]?.labels.severity).toBe('page');
    expect(delivered('default', 'PoseidonCriticalError', 'alpha', 'firing')).toEqual([]);
  }, 60_000);

  it("counts exactly on the dashboards: a fresh bot's first critical error reads 1, its 7 trades read 7", async () => {
    await delta.send({ do: 'error', severity: 'critical' });
    await delta.send({ do: 'trades', n: 7 });
    await prometheus.waitFor('the 7 trades scraped', async () => {
      const r = await prometheus.query(`sum(poseidon_trades_total{bot="delta"})`);
      return r.ok && Number(r.series[0]?.value[1]) === 7;
    });
    const vars = {
      job: BOT_JOB,
      instance: '.*',
      bot: 'delta',
      symbol: '.*',
      __interval: '1h',
      __interval_ms: '3600000',
      __rate_interval: '1h',
      __rate_interval_ms: '3600000',
    };
    const figure = async (where: string): Promise<number> => {
      const e = dashboardExprs().find((x) => x.where === where);
      if (e === undefined) throw new Error(`no panel ${where}`);
      const r = await prometheus.query(substitute(e.expr, vars));
      if (!r.ok) throw new Error(`${where}: ${r.error}`);
      return r.series.reduce((sum, x) => sum + Number(x.value[1]), 0);
    };
    // A per-minute rate over a rate window of an hour, times 60 minutes: the events of that hour.
    const perHour = async (where: string) => Number(((await figure(where)) * 60).toPrecision(9));
    expect({
      critical: await figure('poseidon-summary.json › Critical errors 24 h › A'),
      errors: await figure('poseidon-summary.json › Errors 24 h › A'),
      trades: await figure('poseidon-summary.json › Trades 24 h › A'),
      bar: await figure('poseidon-trading.json › Trades per interval › A'),
      tradesPerMinute: await perHour('poseidon-summary.json › Trades per minute › A'),
      errorsPerMinute: await perHour('poseidon-summary.json › Errors per minute › A'),
    }).toEqual({ critical: 1, errors: 1, trades: 7, bar: 7, tradesPerMinute: 7, errorsPerMinute: 1 });
    // What the dashboards showed before: increase() cannot see a series' first sample (no data at all for a single one).
    const before = await prometheus.query('sum(increase(poseidon_trades_total{bot="delta"}[24h]))');
    if (!before.ok) throw new Error(before.error);
    expect(Number(before.series[0]?.value[1] ?? 0)).toBeLessThan(7);
  }, 60_000);

  it('shows every bot process on the Fleet dashboard, one row each, linking to its Summary', async () => {
    const fleet = dashboardExprs().filter((e) => e.where.startsWith('poseidon-fleet.json'));
    expect(fleet.length).toBe(9);
    const vars = { job: BOT_JOB, instance: '.*', bot: '.*' };
    const column = async (title: string): Promise<Record<string, number>> => {
      const e = fleet.find((x) => x.where.endsWith(`› ${title}`));
      if (e === undefined) throw new Error(`no fleet query ${title}`);
      const r = await prometheus.query(substitute(e.expr, vars));
      if (!r.ok) throw new Error(`${title}: ${r.error}`);
      return Object.fromEntries(r.series.map((x) => [x.metric.bot ?? '?', Number(x.value[1])]));
    };
    await prometheus.waitFor("delta's trades scraped", async () => (await column('Bots › E')).delta === 7);
    expect(await column('Bots › A')).toEqual({ alpha: 1, bravo: 1, charlie: 1, delta: 1 });
    expect(await column('Bots › E')).toEqual({ delta: 7 });
    expect(await column('Bots › F')).toMatchObject({ alpha: 1, bravo: 0, charlie: 0, delta: 1 });
    const sinceTrade = await column('Bots › G');
    expect(Object.keys(sinceTrade)).toEqual(['delta']);
    expect(sinceTrade.delta).toBeGreaterThanOrEqual(0);
    expect(sinceTrade.delta).toBeLessThan(600);
    const json = readFileSync(join(REPO, 'grafana', 'dashboards', 'poseidon-fleet.json'), 'utf8');
    expect(json).toContain(`/d/${STACK_CONFIG.dashboardUids.summary}?var-bot=\${__value.text}`);
  }, 60_000);

  it('pages a stalled loop, and resolves it when the loop succeeds again', async () => {
    await waitDelivered('pager', 'PoseidonTradingLoopStalled', 'bravo', 'firing');
    const [stalled] = delivered('pager', 'PoseidonTradingLoopStalled', 'bravo', 'firing');
    expect(stalled?.labels).toMatchObject({ severity: 'critical', loop: 'main', instance: bravo.instance });
    await bravo.send({ do: 'lag', ms: 0 });
    await bravo.send({ do: 'loop', loop: 'main', success: true });
    await waitDelivered('pager', 'PoseidonTradingLoopStalled', 'bravo', 'resolved');
  }, 60_000);

  it('pages a killed bot by name, and resolves it when the bot is back', async () => {
    const port = Number(charlie.instance.split(':')[1]);
    await charlie.kill();
    await waitDelivered('pager', 'PoseidonBotDown', 'charlie', 'firing');
    const [down] = delivered('pager', 'PoseidonBotDown', 'charlie', 'firing');
    expect(down?.labels).toMatchObject({ severity: 'critical', instance: charlie.instance });
    expect(down?.annotations.summary).toBe(`Bot charlie (${charlie.instance}) is down`);
    bots.push(await startBot('charlie', port));
    await waitDelivered('pager', 'PoseidonBotDown', 'charlie', 'resolved');
  }, 120_000);

  it("counts a new series' first events in the per-minute panels, percentiles and recorded rates of a bot up for longer than the window", async () => {
    // Last: delta's new trades would change the figures the fleet test reads.
    const window = durationSeconds(SHORT.rateWindow);
    // Prometheus must have scraped delta for longer than the window: only the new series is new in it.
    await prometheus.waitFor(
      `delta scraped for over ${window} s`,
      async () => {
        const r = await prometheus.query(`last_over_time(poseidon_process_start_time_seconds{bot="delta"}[10s] offset ${window}s)`);
        return r.ok && r.series.length > 0;
      },
      60_000,
    );
    await delta.send({ do: 'trades', n: 5, symbol: 'XRPUSDT' });
    // A new loop's first runs: two successes and a failure, each outcome's series born at its first run.
    for (const success of [true, true, false]) await delta.send({ do: 'loop', loop: 'fresh', success });
    const scrapedValue = async (expr: string) => {
      const r = await prometheus.query(expr);
      return r.ok ? Number(r.series[0]?.value[1]) : Number.NaN;
    };
    await prometheus.waitFor('the new series scraped', async () => {
      const trades = await scrapedValue('sum(poseidon_trades_total{bot="delta", symbol="XRPUSDT"})');
      const runs = await scrapedValue('sum(poseidon_loop_executions_total{bot="delta", loop="fresh"})');
      return trades === 5 && runs === 3;
    });
    const at = Date.now() / 1000;
    const vars = {
      job: BOT_JOB,
      instance: '.*',
      bot: 'delta',
      symbol: '.*',
      __rate_interval: `${window}s`,
      __rate_interval_ms: `${window * 1000}`,
    };
    /** The panel's per-minute figure over the window, as events: per minute times the window's minutes. */
    const events = async (where: string, label: string, value: string): Promise<number> => {
      const e = dashboardExprs().find((x) => x.where === where);
      if (e === undefined) throw new Error(`no panel ${where}`);
      const r = await prometheus.query(substitute(e.expr, vars), at);
      if (!r.ok) throw new Error(`${where}: ${r.error}`);
      const perMinute = r.series.filter((x) => x.metric[label] === value).reduce((sum, x) => sum + Number(x.value[1]), 0);
      return Number(((perMinute * window) / 60).toPrecision(9));
    };
    expect({
      trades: await events('poseidon-summary.json › Trades per minute › A', 'symbol', 'XRPUSDT'),
      bySide: await events('poseidon-trading.json › Trades per minute › A', 'symbol', 'XRPUSDT'),
      loopRuns: await events('poseidon-performance.json › Loop runs per minute › A', 'loop', 'fresh'),
    }).toEqual({ trades: 5, bySide: 5, loopRuns: 3 });
    // The loop's first runs have a duration percentile (rate() gave none: each bucket had not moved since its first sample).
    const percentiles = dashboardExprs().find((x) => x.where === 'poseidon-performance.json › Loop duration percentiles › B');
    if (percentiles === undefined) throw new Error('no loop duration p95 panel');
    const p95 = await prometheus.query(substitute(percentiles.expr, vars), at);
    if (!p95.ok) throw new Error(p95.error);
    expect(p95.series.filter((x) => x.metric.loop === 'fresh').map((x) => Number.isFinite(Number(x.value[1])))).toEqual([true]);
    // The recorded rates behind PoseidonLoopFailureRatio, once a rule evaluation has seen the runs: each run counts.
    const N = recordedNames(SHORT);
    const recorded = async () => {
      const runs = await prometheus.query(`${N.loopExecutionsRate}{bot="delta", loop="fresh"} * ${window}`);
      const ratio = await prometheus.query(`${N.loopFailureRatio}{bot="delta", loop="fresh"}`);
      if (!runs.ok || !ratio.ok) throw new Error(`${runs.ok ? '' : runs.error}${ratio.ok ? '' : ratio.error}`);
      const byStatus = Object.fromEntries(runs.series.map((x) => [x.metric.status, Number(Number(x.value[1]).toPrecision(9))]));
      return { ...byStatus, failureRatio: Number(Number(ratio.series[0]?.value[1]).toPrecision(9)) };
    };
    const expected = { success: 2, failure: 1, failureRatio: Number((1 / 3).toPrecision(9)) };
    await prometheus
      .waitFor('the recorded rates to count the new loop', async () => isDeepStrictEqual(await recorded(), expected), 15_000)
      .catch(() => undefined);
    expect(await recorded()).toEqual(expected);
    // What the panels showed before: rate() needs two samples of a series that moved between them.
    const before = await prometheus.query(`sum(rate(poseidon_trades_total{bot="delta", symbol="XRPUSDT"}[${window}s])) * ${window}`, at);
    if (!before.ok) throw new Error(before.error);
    expect(Number(before.series[0]?.value[1] ?? 0)).toBeLessThan(5);
  }, 90_000);
});
