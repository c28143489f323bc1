// The demo on its fast clock: its history runs hours ahead, but the loop and trade timestamps Prometheus compares with
// time() are real ones, so "Time since last success" reads true and a stopped demo loop fires PoseidonTradingLoopStalled.

import { afterEach, describe, expect, it } from 'vitest';
import { STACK_CONFIG } from '../../grafana/src/config.js';
import type { StackSettings } from '../../grafana/src/queries.js';
import { type DemoFlags, type StartedDemo, startDemo } from '../../src/cli/commands/demo.js';
import { DEMO_LOOP_NAME } from '../../src/cli/demo/DemoBot.js';
import { METRICS } from '../../src/telemetry/names.js';
import { findPrometheus, type PrometheusServer, startPrometheus } from '../helpers/prometheus.js';
import { value } from '../telemetry/exposition.js';
import { BOT_JOB, dashboardExprs, generatedRuleFiles, substitute, testPrometheusConfig } from './stackFiles.js';

const binary = findPrometheus();
if (binary === null)
  console.warn('prometheus is not on PATH: skipping the demo against a real Prometheus (set CI=true to make this an error)');

/** Ten simulated minutes per real second: in a few seconds the demo's history is far ahead of the wall clock. */
const SPEED = 600;
/** The shipped rules, with a loop stalled after a few seconds instead of fifteen minutes. */
const SHORT: StackSettings = { ...STACK_CONFIG, loopStalledSeconds: 8, loopStalledFor: '0s' };

/** The `demo` command's flags: quiet (no log file, no status line), in memory, on a free loopback port. */
const demoFlags = (bot: string): DemoFlags => ({
  duration: null,
  speed: SPEED,
  symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'],
  seed: 42,
  balance: 10_000,
  loopInterval: 5_000,
  status: false,
  storage: 'memory',
  bot,
  host: '127.0.0.1',
  port: 0,
  logFile: '',
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function demo(bot: string): Promise<StartedDemo> {
  const started = await startDemo(demoFlags(bot));
  cleanups.push(async () => {
    await started.bot.stop();
    await started.monitor.stop();
  });
  started.bot.start();
  return started;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` (the demo runs on real time) until it holds, or throws after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(50);
  }
}

describe('the demo on its fast clock', () => {
  it('exposes its last loop success and last trade at wall time while its history runs ahead', async () => {
    const { monitor } = await demo('demo-wall');
    const scrape = async () => (await fetch(monitor.metricsUrl!)).text();
    // Far enough ahead that a simulated timestamp could not pass for a real one.
    await until('the simulated clock ten minutes ahead', () => monitor.now() - Date.now() > 600_000);
    let text = '';
    await until('a loop success and a trade on /metrics', async () => {
      text = await scrape();
      return (
        value(text, METRICS.loopLastSuccess.name, { loop: DEMO_LOOP_NAME }) !== undefined &&
        value(text, METRICS.lastTrade.name) !== undefined
      );
    });
    const wall = Date.now() / 1000;
    const loop = value(text, METRICS.loopLastSuccess.name, { loop: DEMO_LOOP_NAME })!;
    const trade = value(text, METRICS.lastTrade.name)!;
    expect({ loop: Math.abs(loop - wall) < 5, trade: Math.abs(trade - wall) < 5 }).toEqual({ loop: true, trade: true });
    // The history itself stays simulated: the newest loop run in it is dated ahead of the wall clock.
    const [newest] = monitor.recentEvents.query({ limit: 1 });
    expect(newest!.timestamp - Date.now()).toBeGreaterThan(600_000);
  }, 30_000);
});

describe.skipIf(binary === null)('the demo against a real Prometheus running the project rules', () => {
  let prometheus: PrometheusServer;

  it('shows a real time since the last success, and fires PoseidonTradingLoopStalled once the demo loop stops', async () => {
    const { bot, monitor } = await demo('demo-stall');
    const rules = generatedRuleFiles(SHORT);
    cleanups.push(() => rules.remove());
    prometheus = await startPrometheus(binary!, testPrometheusConfig([new URL(monitor.baseUrl!).host], { rules: rules.files }));
    cleanups.push(() => prometheus.stop());

    const panel = dashboardExprs().find((e) => e.where.endsWith('› Time since last success › A'));
    if (panel === undefined) throw new Error('no "Time since last success" panel');
    const sinceSuccess = async (): Promise<number | undefined> => {
      const r = await prometheus.query(substitute(panel.expr, { job: BOT_JOB, instance: '.*', bot: 'demo-stall' }));
      if (!r.ok) throw new Error(r.error);
      const s = r.series.find((x) => x.metric.loop === DEMO_LOOP_NAME);
      return s === undefined ? undefined : Number(s.value[1]);
    };
    const stalled = async () =>
      (await prometheus.alerts()).filter(
        (a) => a.labels.alertname === 'PoseidonTradingLoopStalled' && a.labels.bot === 'demo-stall' && a.state === 'firing',
      );

    await prometheus.waitFor('the panel to read the running loop', async () => (await sinceSuccess()) !== undefined);
    // Running: a second or two since the last success (on the simulated clock it read hours in the future, below 0).
    const running = (await sinceSuccess())!;
    expect(running).toBeGreaterThanOrEqual(-1);
    expect(running).toBeLessThan(SHORT.loopStalledSeconds);
    expect(await stalled()).toEqual([]);

    await bot.stop();
    await prometheus.waitFor('PoseidonTradingLoopStalled to fire for the demo', async () => (await stalled()).length > 0, 30_000);
    const [alert] = await stalled();
    expect(alert?.labels).toMatchObject({ loop: DEMO_LOOP_NAME, severity: 'critical', job: BOT_JOB });
    expect(await sinceSuccess()).toBeGreaterThan(SHORT.loopStalledSeconds);
  }, 90_000);
});
