// The seed's examples as docs/examples/*.ts: each runs as a user runs it (its own process, importing 'poseidon-monitor'),
// compiles under a strict TypeScript, and leaves in history what it says it does.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { CliProcess, type CliResult, cleanEnv, ROOT } from '../cli/cliProcess.js';
import { QUIET_OPTIONS } from '../helpers/monitor.js';

const EXAMPLES_DIR = join(ROOT, 'docs', 'examples');
/** Maps 'poseidon-monitor' to the sources, as an installed package maps it to its build (kept out of docs/: it would ship). */
const TSCONFIG = join(ROOT, 'test', 'docs', 'tsconfig.examples.json');
const EXAMPLES = ['quick-start', 'loop-monitoring', 'error-handling', 'database-operations', 'growth-tracking'] as const;
type Example = (typeof EXAMPLES)[number];
const BOT = 'docs-example';
const HOUR = 3_600_000;

let dir: string;
const runs = new Map<Example, CliResult>();
const dbUrl = (example: Example) => `sqlite:///${join(dir, `${example}.db`)}`;

/** Runs an example in a temp directory with its history and log file there, nothing on the console but its own lines. */
function runExample(example: Example): Promise<CliResult> {
  const env = cleanEnv({
    TSX_TSCONFIG_PATH: TSCONFIG,
    POSEIDON_BOT_NAME: BOT,
    POSEIDON_DB_URL: dbUrl(example),
    POSEIDON_LOG_FILE: join(dir, `${example}.log`),
    POSEIDON_LOG_CONSOLE: 'false',
    POSEIDON_METRICS_SERVER: 'false',
    POSEIDON_SIGNAL_HANDLERS: 'false',
    // Short, so the database example's wait for the first system metrics collection is short.
    POSEIDON_METRICS_INTERVAL: '0.5',
  });
  return new CliProcess([], { entry: join(EXAMPLES_DIR, `${example}.ts`), cwd: dir, env }).exited;
}

/** The history an example left, read through the package's own queries (the example has stopped). */
async function historyOf(example: Example, read: (monitor: MonitoringSystem) => void | Promise<void>): Promise<void> {
  const monitor = new MonitoringSystem({
    ...QUIET_OPTIONS,
    storage: 'sqlite',
    dbUrl: dbUrl(example),
    botName: BOT,
    writerLease: false,
    enableSystemMetrics: false,
  });
  await monitor.start();
  try {
    await read(monitor);
  } finally {
    await monitor.stop();
  }
}

/** The example's output, after checking it ran cleanly. */
function output(example: Example): string {
  const r = runs.get(example);
  if (r === undefined) throw new Error(`${example} did not run`);
  expect({ code: r.code, stderr: r.stderr }, r.stdout).toEqual({ code: 0, stderr: '' });
  return r.stdout;
}

describe('the seed examples in docs/examples', () => {
  let startedAt: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poseidon-examples-'));
    startedAt = Date.now();
    const results = await Promise.all(EXAMPLES.map(runExample));
    for (const [i, example] of EXAMPLES.entries()) runs.set(example, results[i]!);
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('are exactly the five seed examples, each linked from the API page', () => {
    const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.ts'));
    expect(files.sort()).toEqual(EXAMPLES.map((e) => `${e}.ts`).sort());
    const api = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
    for (const example of EXAMPLES) expect(api).toContain(`](examples/${example}.ts)`);
    for (const example of EXAMPLES) expect(readFileSync(join(EXAMPLES_DIR, `${example}.ts`), 'utf8')).toContain("from 'poseidon-monitor';");
  });

  it('compile under the strict TypeScript of the package', () => {
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', TSCONFIG, '--noEmit'], {
      encoding: 'utf8',
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);

  it('quick start: the trade, the performance metric and the error are in history, and the summary counts the trades', async () => {
    const out = output('quick-start');
    expect(out).toMatch(/^Total trades: 1$/m);
    expect(out).toMatch(/^System status: (healthy|degraded|unhealthy)$/m);
    expect(out).toMatch(/^Active trades: 2$/m); // the context-manager monitor's trade, on the same history
    await historyOf('quick-start', (monitor) => {
      const [btc] = monitor.metricsCollector.getTradeMetrics({ symbol: 'BTCUSDT' });
      expect(btc).toMatchObject({
        side: 'buy',
        quantity: 0.1,
        price: 45_000,
        notionalValue: 4_500,
        fee: 4.5,
        executionTimeMs: 150,
        slippageBps: 2.5,
      });
      expect(monitor.metricsCollector.getTradeMetrics({ symbol: 'ETHUSDT' })).toMatchObject([
        { side: 'sell', quantity: 1, price: 3_200, fee: 3.2 },
      ]);
      expect(monitor.metricsCollector.getPerformanceMetrics({ metricName: 'api_response_time' })).toMatchObject([
        { value: 120.5, unit: 'milliseconds' },
      ]);
      expect(monitor.metricsCollector.getErrors()).toMatchObject([{ errorType: 'network_timeout', message: 'Connection timeout' }]);
    });
  });

  it('loop monitoring: the run started as exec_123 ends successful with its trades, and trackLoop records a second', async () => {
    expect(output('loop-monitoring')).toMatch(/^Loop main_trading_loop: 2 runs, 2 succeeded, 0 failed$/m);
    await historyOf('loop-monitoring', (monitor) => {
      const runs = monitor.metricsCollector.getLoopExecutions({ loopName: 'main_trading_loop' });
      expect(runs).toHaveLength(2);
      expect(runs.find((r) => r.executionId === 'exec_123')).toMatchObject({ success: true, tradesExecuted: 2 });
      expect(monitor.metricsCollector.getTradeMetrics()).toHaveLength(4);
      expect(monitor.metricsCollector.getErrors()).toEqual([]);
    });
  });

  it("error handling: one error under each of the seed's six categories, the failed run's under execution_error", async () => {
    const out = output('error-handling');
    expect(out).toMatch(/^Monitoring running: true$/m);
    expect(out).toMatch(/^Active executions: 0$/m);
    expect(out).toMatch(/^Total records in database: \d+$/m);
    for (const type of ['system_error', 'network_timeout', 'api_rate_limit', 'insufficient_funds', 'invalid_order', 'execution_error'])
      expect(out).toMatch(new RegExp(`^${type}: 1$`, 'm'));
    await historyOf('error-handling', (monitor) => {
      expect(monitor.metricsCollector.getErrors({ errorType: 'execution_error' })).toMatchObject([
        { message: 'Loop execution failed: Error: order 42 expired before it was filled', loopName: 'main_trading_loop' },
      ]);
      expect(monitor.metricsCollector.getLoopExecutions()).toMatchObject([{ loopName: 'main_trading_loop', success: false }]);
      expect(monitor.metricsCollector.getErrors()).toHaveLength(6);
    });
  });

  it('database operations: table counts, the last 24 h of BTCUSDT, system_cpu_percent in percent, and a cleanup that keeps them', async () => {
    const out = output('database-operations');
    expect(out).toMatch(/^Total trades: 2$/m);
    expect(out).toMatch(/^Total metrics: \d+$/m);
    expect(out).toMatch(/^BTCUSDT trades in 24 h: 1$/m);
    expect(out).toMatch(/^system_cpu_percent: \d+(\.\d+)? percent$/m);
    expect(out).toMatch(/^Rows older than 30 days deleted: 0$/m);
    const metrics = Number(/^Total metrics: (\d+)$/m.exec(out)![1]);
    expect(metrics).toBeGreaterThan(1); // api_response_time and the system metrics collected
    await historyOf('database-operations', (monitor) => {
      const cpu = monitor.metricsCollector.getPerformanceMetrics({ metricName: 'system_cpu_percent' });
      expect(cpu.length).toBeGreaterThan(0);
      for (const row of cpu) expect(row.unit).toBe('percent');
      expect(monitor.metricsCollector.getTradeMetrics()).toHaveLength(2);
    });
  });

  it("growth tracking: the manual record is the current hour's growth row, and the hourly report shows it", async () => {
    const out = output('growth-tracking');
    const hour = Date.parse(/^Hour: (\S+)$/m.exec(out)![1]!);
    // The hour the example ran in (it may have crossed into the next one).
    expect(hour).toBeGreaterThanOrEqual(Math.floor(startedAt / HOUR) * HOUR);
    expect(hour).toBeLessThanOrEqual(Math.floor(Date.now() / HOUR) * HOUR);
    const growth = JSON.parse(/^Growth: (.+)$/m.exec(out)![1]!) as Record<string, unknown>;
    expect(growth).toMatchObject({ hour: new Date(hour).toISOString(), closingBalance: 15_000, tradeCount: 5, realizedPnl: 500 });
    expect(JSON.parse(/^Trades: (.+)$/m.exec(out)![1]!)).toMatchObject({ since: new Date(hour).toISOString(), tradeCount: 0 });
    await historyOf('growth-tracking', (monitor) => {
      expect(monitor.metricsCollector.getGrowthMetrics()).toMatchObject([
        { hourStart: hour, closingBalance: 15_000, tradeCount: 5, realizedPnl: 500 },
      ]);
    });
  });
});
