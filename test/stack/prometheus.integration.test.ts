// Real-Prometheus suite: two bots built on the library are scraped by a real Prometheus running the shipped rules,
// and every PromQL expression of the dashboards and rule files is evaluated against what it collected.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { QUIET_OPTIONS, TEST_START } from '../helpers/monitor.js';
import { findPrometheus, freePort, type PrometheusServer, startPrometheus } from '../helpers/prometheus.js';
import {
  BOT_JOB,
  dashboardExprs,
  dashboardVariables,
  PANEL_INTERVALS,
  ruleExprs,
  substitute,
  testPrometheusConfig,
  withoutThreshold,
} from './stackFiles.js';

const binary = findPrometheus();
if (binary === null)
  console.warn('prometheus is not on PATH: skipping the real-Prometheus suite (install it, or set CI=true to make this an error)');

const JOB = BOT_JOB;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'] as const;
const BOTS = ['alpha', 'bravo'] as const;

/** A monitor serving /metrics on a free loopback port, named the way a deployment names it: by environment variables. */
function botMonitor(env: Record<string, string>, clock: ManualClock): MonitoringSystem {
  return new MonitoringSystem(
    // System metrics on, at an interval no test reaches: each bot takes its one sample when the suite asks (host figures on /metrics).
    MonitoringConfig.fromEnv(env, {
      ...QUIET_OPTIONS,
      enableMetricsServer: true,
      metricsHost: '127.0.0.1',
      clock,
      enableSystemMetrics: true,
      metricsIntervalSeconds: 86_400,
    }),
  );
}

/** One round of realistic activity of the healthy bot "alpha": trades on three symbols, loops, errors, liquidity. */
function alphaRound(monitor: MonitoringSystem, clock: ManualClock, round: number): void {
  for (const [i, symbol] of SYMBOLS.entries()) {
    // ETHUSDT fills are slow and slip badly: the execution and slippage alerts have a symbol to fire on.
    const slow = symbol === 'ETHUSDT';
    const price = 100 * (i + 1) + round;
    monitor.logTrade({ symbol, side: 'buy', quantity: 2, price, fee: 0.2, executionTimeMs: slow ? 3_000 : 40, slippageBps: slow ? 80 : 2 });
    monitor.logTrade({
      symbol,
      side: 'sell',
      quantity: 1,
      price: price + 5,
      fee: 0.1,
      executionTimeMs: slow ? 4_000 : 60,
      slippageBps: slow ? 90 : -1,
    });
    monitor.logLiquidityAnalysis({
      symbol,
      spread: 0.0004,
      bidSize: 3 + round,
      askSize: 4,
      marketDepth: 250_000,
      volatility24h: 0.03,
      volume24h: 9e6,
      // The mid (price + 2) marks the open long position to market: unrealized P&L and equity move.
      bidPrice: price + 1,
      askPrice: price + 3,
    });
  }
  for (const loop of ['main', 'scanner']) {
    monitor.startLoopExecution(loop);
    clock.advance(120);
    monitor.endLoopExecution(loop, { success: true, tradesExecuted: 2 });
  }
  monitor.startLoopExecution('main');
  clock.advance(900);
  monitor.endLoopExecution('main', { success: false, errorMessage: 'order book stale' });
  monitor.logError('request failed', { errorType: 'api_error', severity: 'medium' });
  monitor.logError('slow down', { errorType: 'rate_limit', severity: 'low' });
  monitor.logPerformanceMetric('api_latency', 120 + round, 'ms');
  monitor.updateAccountBalance(10_000 + 25 * round);
}

/** One round of the troubled bot "bravo": loops that mostly fail, many errors, no trades, a falling balance. */
function bravoRound(monitor: MonitoringSystem, clock: ManualClock, round: number): void {
  monitor.startLoopExecution('main');
  clock.advance(300);
  monitor.endLoopExecution('main', { success: round === 1 });
  for (let i = 0; i < 4; i++) {
    monitor.startLoopExecution('main');
    clock.advance(2_000);
    monitor.endLoopExecution('main', { success: false, errorMessage: 'exchange unreachable' });
    monitor.logError('connection refused', { errorType: 'connection_error', severity: 'high' });
  }
  monitor.updateAccountBalance(round === 1 ? 1_000 : 600);
}

describe.skipIf(binary === null)('the shipped stack against a real Prometheus', () => {
  let prometheus: PrometheusServer;
  /** A central Prometheus the suite's one (the edge) forwards everything to with remote_write. */
  let central: PrometheusServer;
  let alpha: MonitoringSystem;
  let bravo: MonitoringSystem;
  let alphaClock: ManualClock;
  let bravoClock: ManualClock;
  let alphaInstance: string;
  let bravoInstance: string;

  const scrapes = async (bot: string): Promise<number> => {
    const r = await prometheus.query(`count_over_time(poseidon_build_info{bot="${bot}"}[10m])`);
    return r.ok && r.series[0] ? Number(r.series[0].value[1]) : 0;
  };
  /** Waits until Prometheus has scraped both bots `n` more times. */
  const nextScrapes = async (n: number): Promise<void> => {
    const [a, b] = [await scrapes('alpha'), await scrapes('bravo')];
    await prometheus.waitFor(`${n} more scrapes`, async () => (await scrapes('alpha')) >= a + n && (await scrapes('bravo')) >= b + n);
  };
  const criticalAlerts = async () =>
    (await prometheus.alerts()).filter((a) => a.labels.alertname === 'PoseidonCriticalError' && a.labels.bot === 'alpha');

  beforeAll(async () => {
    // alpha's clock starts an hour back so that advancing it closes a UTC hour: the growth gauge gets a value.
    alphaClock = new ManualClock(Date.now() - 3_600_000);
    alpha = botMonitor({ POSEIDON_BOT_NAME: 'alpha', POSEIDON_STRATEGY: 'grid' }, alphaClock);
    // bravo's loops last succeeded at the fixed test start, long ago: the stalled-loop alert has a loop to fire on.
    bravoClock = new ManualClock(TEST_START);
    bravo = botMonitor({ POSEIDON_BOT_NAME: 'bravo' }, bravoClock);
    await alpha.start();
    await bravo.start();
    await alpha.systemMetrics?.collect();
    await bravo.systemMetrics?.collect();
    alpha.updateAccountBalance(10_000);
    alphaClock.advance(3_600_000);
    alphaInstance = new URL(alpha.baseUrl!).host;
    bravoInstance = new URL(bravo.baseUrl!).host;
    // A target nobody listens on: a bot that is down.
    const dead = `127.0.0.1:${await freePort()}`;
    central = await startPrometheus(binary!, stringify({ global: { evaluation_interval: '1s' } }), 20_000, [
      '--web.enable-remote-write-receiver',
    ]);
    prometheus = await startPrometheus(
      binary!,
      testPrometheusConfig([alphaInstance, bravoInstance, dead], { remoteWrite: `${central.url}/api/v1/write` }),
    );

    alphaRound(alpha, alphaClock, 1);
    bravoRound(bravo, bravoClock, 1);
    await nextScrapes(2);
    alphaRound(alpha, alphaClock, 2);
    bravoRound(bravo, bravoClock, 2);
    await nextScrapes(2);
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await central?.stop();
    await alpha?.stop();
    await bravo?.stop();
  });

  it('fires PoseidonCriticalError once the bot reports a critical error', async () => {
    await prometheus.waitFor('a rule evaluation after the scrapes', async () => (await prometheus.query('poseidon:events:rate5m')).ok);
    expect(await criticalAlerts()).toEqual([]);

    alpha.logError('withdrawal address mismatch', { errorType: 'exchange_error', severity: 'critical' });
    alphaRound(alpha, alphaClock, 3);
    bravoRound(bravo, bravoClock, 3);
    await prometheus.waitFor('PoseidonCriticalError to fire', async () => (await criticalAlerts()).some((a) => a.state === 'firing'));

    const [fired] = await criticalAlerts();
    expect(fired?.labels).toEqual({
      alertname: 'PoseidonCriticalError',
      severity: 'page',
      job: JOB,
      instance: alphaInstance,
      bot: 'alpha',
      error_type: 'exchange_error',
    });
    expect(fired?.annotations.summary).toBe('Critical exchange_error error on alpha');
    await nextScrapes(3);
  }, 60_000);

  it('evaluates every rule without error', async () => {
    const rules = await prometheus.rules();
    expect(rules.map((r) => r.name).sort()).toEqual(
      ruleExprs()
        .map((r) => r.where.split(' › ')[1])
        .sort(),
    );
    for (const rule of rules)
      expect({ rule: rule.name, health: rule.health, error: rule.lastError ?? '' }).toEqual({ rule: rule.name, health: 'ok', error: '' });
  });

  it('returns data for every recording rule and every dashboard query', async () => {
    const values = {
      job: JOB,
      instance: alphaInstance,
      bot: 'alpha',
      symbol: 'ETHUSDT',
      ...PANEL_INTERVALS,
    };
    const exprs = [...ruleExprs().filter((e) => e.kind === 'recording'), ...dashboardExprs()];
    expect(dashboardExprs().length).toBeGreaterThan(40);
    const empty: string[] = [];
    for (const e of exprs) {
      const expr = e.kind === 'recording' ? (e.where.split(' › ')[1] as string) : substitute(e.expr, values);
      const result = await prometheus.query(expr);
      if (!result.ok) throw new Error(`${e.where}: ${result.error}\n${expr}`);
      if (result.series.length === 0) empty.push(`${e.where}: ${expr}`);
    }
    expect(empty).toEqual([]);
  });

  it('gives every alert condition data: the condition itself, or its signal without the threshold', async () => {
    const report: Record<string, 'fires' | 'signal only'> = {};
    for (const e of ruleExprs().filter((r) => r.kind === 'alert')) {
      const full = await prometheus.query(e.expr);
      if (!full.ok) throw new Error(`${e.where}: ${full.error}`);
      if (full.series.length > 0) {
        report[e.where] = 'fires';
        continue;
      }
      const signal = withoutThreshold(e.expr);
      if (signal === null) throw new Error(`${e.where} returned nothing and does not end in a threshold comparison`);
      const result = await prometheus.query(signal);
      expect(result.ok && result.series.length > 0, `${e.where}: no data for ${signal}`).toBe(true);
      report[e.where] = 'signal only';
    }
    // The scenario trips every alert a few seconds of data can trip; the rest have their firing proven by promtool.
    expect(report).toMatchObject({
      'poseidon-alerts.yml › PoseidonCriticalError': 'fires',
      'poseidon-alerts.yml › PoseidonHighErrorRate': 'fires',
      'poseidon-alerts.yml › PoseidonTradingLoopStalled': 'fires',
      'poseidon-alerts.yml › PoseidonLoopFailureRatio': 'fires',
      'poseidon-alerts.yml › PoseidonHighSlippage': 'fires',
      'poseidon-alerts.yml › PoseidonSlowExecution': 'fires',
      'poseidon-alerts.yml › PoseidonDrawdown': 'fires',
      'poseidon-alerts.yml › PoseidonBotDown': 'fires',
    });
  });

  it('resolves every dashboard variable to at least one value', async () => {
    const values: Record<string, string> = { job: JOB, instance: alphaInstance, bot: '.*' };
    for (const v of dashboardVariables()) {
      const series = await prometheus.series(substitute(v.selector, values));
      const found = new Set(series.map((s) => s[v.label]).filter((x) => x !== undefined));
      expect(found.size, `${v.where}: ${v.selector}`).toBeGreaterThan(0);
      if (v.name === 'symbol') expect([...found].sort()).toEqual([...SYMBOLS]);
      if (v.name === 'instance') expect(found.has(alphaInstance)).toBe(true);
      if (v.name === 'bot') expect([...found].sort()).toEqual([...BOTS]);
    }
  });

  it('keeps two bots apart: every series carries the POSEIDON_BOT_NAME of the monitor that exported it', async () => {
    await nextScrapes(1);
    const byInstance = await prometheus.query(`count by (instance, bot, strategy) ({__name__=~"poseidon_.+", job="${JOB}"})`);
    if (!byInstance.ok) throw new Error(byInstance.error);
    expect(byInstance.series.map((s) => s.metric).sort((x, y) => (x.bot ?? '').localeCompare(y.bot ?? ''))).toEqual([
      { instance: alphaInstance, bot: 'alpha', strategy: 'grid' },
      { instance: bravoInstance, bot: 'bravo' },
    ]);
    // Same names, separate series: one balance each, and trades only where there were trades.
    const balances = await prometheus.query('poseidon_account_balance');
    expect(balances.ok && balances.series.map((s) => [s.metric.bot, Number(s.value[1])]).sort()).toEqual([
      ['alpha', 10_075],
      ['bravo', 600],
    ]);
    const trades = await prometheus.query('count by (bot) (poseidon_trades_total)');
    expect(trades.ok && trades.series.map((s) => [s.metric.bot, Number(s.value[1])])).toEqual([['alpha', SYMBOLS.length * 2]]);
  });

  it('answers a dashboard query filtered by bot with that bot only, every bot shown when all are selected', async () => {
    const panel = dashboardExprs().find((e) => e.where === 'poseidon-trading.json › Balance and equity › A');
    const equity = dashboardExprs().find((e) => e.where === 'poseidon-trading.json › Balance and equity › B');
    if (panel === undefined || equity === undefined) throw new Error('the trading dashboard has no "Balance and equity" panel');
    // Grafana's substitution: one bot as itself, several as a regex alternation, All as `.*`.
    const run = async (expr: string, bot: string) => {
      const r = await prometheus.query(substitute(expr, { job: JOB, instance: '.*', bot }));
      if (!r.ok) throw new Error(r.error);
      return r.series.map((s) => ({ bot: s.metric.bot, instance: s.metric.instance, value: Number(s.value[1]) }));
    };
    const alphaRow = { bot: 'alpha', instance: alphaInstance, value: 10_075 };
    const bravoRow = { bot: 'bravo', instance: bravoInstance, value: 600 };
    const byBot = (rows: { bot?: string }[]) => [...rows].sort((x, y) => (x.bot ?? '').localeCompare(y.bot ?? ''));
    expect(await run(panel.expr, 'alpha')).toEqual([alphaRow]);
    expect(await run(panel.expr, 'bravo')).toEqual([bravoRow]);
    expect(byBot(await run(panel.expr, '(alpha|bravo)'))).toEqual([alphaRow, bravoRow]);
    expect(byBot(await run(panel.expr, '.*'))).toEqual([alphaRow, bravoRow]);
    // The equity curve beside it: each bot's own balance plus its own unrealized P&L, as the monitor computes it.
    expect(await run(equity.expr, 'bravo')).toEqual([{ ...bravoRow, value: bravo.equity }]);
    const [alphaEquity] = await run(equity.expr, 'alpha');
    expect(alphaEquity?.value).toBeCloseTo(alpha.equity!, 6);
    expect(alpha.equity).not.toBe(alpha.accountBalance);
  });

  it('filters every dashboard query by bot: only the selected bot in results, nothing for a bot that does not exist', async () => {
    const base = { job: JOB, instance: '.*', symbol: '.*', ...PANEL_INTERVALS };
    const leaks: string[] = [];
    for (const e of dashboardExprs()) {
      for (const bot of BOTS) {
        const r = await prometheus.query(substitute(e.expr, { ...base, bot }));
        if (!r.ok) throw new Error(`${e.where}: ${r.error}`);
        for (const s of r.series)
          if (s.metric.bot !== undefined && s.metric.bot !== bot) leaks.push(`${e.where} for ${bot}: ${s.metric.bot}`);
      }
      // Only constants survive (`or vector(0)`): every series of every bot is filtered out.
      const none = await prometheus.query(substitute(e.expr, { ...base, bot: 'no-such-bot' }));
      if (!none.ok) throw new Error(`${e.where}: ${none.error}`);
      for (const s of none.series) {
        if (Object.keys(s.metric).length > 0 || Number(s.value[1]) !== 0) leaks.push(`${e.where} for no-such-bot: ${JSON.stringify(s)}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('names the bot in the labels, summary and description of its alerts', async () => {
    const alerts = await prometheus.alerts();
    const named = alerts.filter((a) => a.labels.bot !== undefined);
    expect(new Set(named.map((a) => a.labels.bot))).toEqual(new Set(BOTS));
    for (const a of named) {
      expect(a.annotations.summary, a.labels.alertname).toContain(a.labels.bot);
      expect(a.annotations.description, a.labels.alertname).toContain(a.labels.bot);
    }
    // Only the target that never answered has no bot name to give: its address stands in.
    const unnamed = alerts.filter((a) => a.labels.bot === undefined);
    expect(unnamed.map((a) => a.labels.alertname)).toEqual(['PoseidonBotDown']);
    expect(unnamed[0]?.annotations.summary).toBe(`Bot ${unnamed[0]?.labels.instance} is down`);
  });

  it('gives every dashboard query the same figures on a central Prometheus fed by remote_write', async () => {
    // A moment the edge has scraped and evaluated (the centre is waited for below), after the critical alert fired.
    const at = Math.floor(Date.now() / 1000) - 1;
    const values = { job: JOB, instance: '.*', bot: '.*', symbol: '.*', ...PANEL_INTERVALS };
    const figures = async (p: PrometheusServer, expr: string) => {
      const r = await p.query(expr, at);
      if (!r.ok) throw new Error(`${expr}: ${r.error}`);
      return Object.fromEntries(
        r.series
          .map((s) => [JSON.stringify(Object.entries(s.metric).sort()), Number(s.value[1]).toPrecision(9)])
          .sort(([a], [b]) => (a! < b! ? -1 : 1)),
      );
    };
    const exprs = dashboardExprs().map((e) => ({ where: e.where, expr: substitute(e.expr, values) }));
    /** Panels whose figures differ between the two, and panels with no figure on the edge (nothing to compare). */
    const compare = async () => {
      const differ: string[] = [];
      const empty: string[] = [];
      for (const e of exprs) {
        const [edge, centre] = [await figures(prometheus, e.expr), await figures(central, e.expr)];
        if (Object.keys(edge).length === 0) empty.push(e.where);
        if (JSON.stringify(edge) !== JSON.stringify(centre))
          differ.push(`${e.where}: edge ${JSON.stringify(edge)} centre ${JSON.stringify(centre)}`);
      }
      return { differ, empty };
    };
    // remote_write is asynchronous: compare until the centre has caught up, or time out with the last differences.
    let last = await compare();
    const deadline = Date.now() + 20_000;
    while (last.differ.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      last = await compare();
    }
    expect(last.differ).toEqual([]);
    // Every panel had figures to compare: equal because the centre holds them, not because both were empty.
    expect(last.empty).toEqual([]);
    expect(exprs.length).toBeGreaterThan(40);
  }, 60_000);
});
