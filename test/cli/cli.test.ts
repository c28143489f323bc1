// The CLI as a user runs it: child processes, a real SQLite file, real HTTP on 127.0.0.1, real signals.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, cleanEnv, runCli } from './cliProcess.js';

let dir: string;
const running: CliProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'poseidon-cli-'));
});

afterAll(() => {
  for (const p of running) p.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Environment of every run: logs inside the temp dir, nothing from the parent's POSEIDON_* settings. */
function env(): NodeJS.ProcessEnv {
  return cleanEnv({ POSEIDON_LOG_FILE: join(dir, 'logs', 'poseidon_monitor.log') });
}

function start(args: string[]): CliProcess {
  const p = new CliProcess(args, { cwd: dir, env: env() });
  running.push(p);
  return p;
}

/** A figure from the demo's final summary, e.g. `trades  1,234`. */
function summaryFigure(stdout: string, label: string): number {
  const m = new RegExp(`^${label}\\s+(-?[\\d,]+(?:\\.\\d+)?)`, 'm').exec(stdout);
  if (!m) throw new Error(`no "${label}" in the summary:\n${stdout}`);
  return Number(m[1]!.replaceAll(',', ''));
}

describe('poseidon-monitor --help and bad arguments', () => {
  it.each([[[]], [['demo']], [['serve']], [['report']], [['export']], [['db']], [['db', 'stats']], [['db', 'cleanup']]])(
    '%j --help prints usage and exits 0',
    async (command) => {
      const r = await runCli([...command, '--help'], { cwd: dir, env: env() });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: poseidon-monitor${command.length > 0 ? ` ${command.join(' ')}` : ''}`);
      expect(r.stderr).toBe('');
    },
  );

  it.each([
    [['demo', '--speed', 'fast'], /--speed <factor>.*'fast' is invalid.*expected a speed from 0.1 to 100000/],
    [['demo', '--duration', '5 parsecs'], /--duration <time>.*invalid.*expected a duration/],
    [['demo', '--no-such-flag'], /unknown option '--no-such-flag'/],
    [['demo', '--port', '70000'], /expected a port: a whole number from 0 to 65535/],
    [['report', '--format', 'xml'], /expected one of table, json/],
    [['export', '--format', 'csv'], /required option '--out <file>' not specified/],
    [['db', 'cleanup', '--days', '-1'], /--days <n>.*invalid/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['report', '--db', 'missing.db'], /no database at .*missing\.db/],
  ])('%j exits 2 with a clear message', async (args, message) => {
    const r = await runCli(args, { cwd: dir, env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('exits 2 naming the variable when a POSEIDON_* setting is invalid', async () => {
    const r = await runCli(['demo', '--duration', '1s', '--port', '0'], { cwd: dir, env: { ...env(), POSEIDON_LOG_LEVEL: 'LOUD' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/POSEIDON_LOG_LEVEL/);
  });

  it('does not create a database when a history command is pointed at a missing one', async () => {
    await runCli(['db', 'stats', '--db', 'nothing-here.db'], { cwd: dir, env: env() });
    expect(existsSync(join(dir, 'nothing-here.db'))).toBe(false);
  });
});

describe('poseidon-monitor demo, end to end', () => {
  const db = () => join(dir, 'demo.db');
  let demo: { stdout: string; trades: number; realizedPnl: number };
  let apiSummary: { status: number; body: string };

  it('serves /metrics and /api/summary while it runs, stops on SIGINT with exit 0 and a summary', async () => {
    const p = start(['demo', '--duration', '5s', '--speed', '3600', '--seed', '1', '--port', '0', '--db', db()]);
    const [, port] = await p.waitFor(/^metrics: http:\/\/127\.0\.0\.1:(\d+)\/metrics$/m);
    const [, api] = await p.waitFor(/^api: (http:\/\/127\.0\.0\.1:\d+\/api\/summary)$/m);
    expect(Number(port)).toBeGreaterThan(0);
    expect(api).toBe(`http://127.0.0.1:${port}/api/summary`);
    // The console's address is the first line printed, and it serves the page (or says to build it) under its policy.
    const [, consoleUrl] = await p.waitFor(/^console: (http:\/\/127\.0\.0\.1:\d+\/)\n/);
    expect(consoleUrl).toBe(`http://127.0.0.1:${port}/`);
    expect((await fetch(consoleUrl!)).headers.get('content-security-policy')).toContain("default-src 'self'");

    // At 3600x a simulated hour passes every real second. Scrape until the first full hour has
    // closed (its growth gauge appears) and trades are counted; the deadline only bounds a failure.
    let metrics = '';
    const deadline = performance.now() + 4_000;
    while (
      performance.now() < deadline &&
      !(/^poseidon_growth_ratio(\{[^}]*\})? /m.test(metrics) && /^poseidon_trades_total\{[^}]*\} [1-9]/m.test(metrics))
    ) {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      metrics = await res.text();
    }
    expect(metrics).toMatch(/^poseidon_growth_ratio(\{[^}]*\})? /m);
    expect(metrics).toMatch(/^poseidon_trades_total\{[^}]*symbol="(BTC|ETH|SOL)USDT"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^poseidon_loop_executions_total\{/m);

    // Asserted in the next test, so the shutdown checks here run whatever the API answered.
    const res = await fetch(api!);
    apiSummary = { status: res.status, body: await res.text() };

    p.child.kill('SIGINT');
    const r = await p.exited;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stopping (SIGINT)');
    demo = { stdout: r.stdout, trades: summaryFigure(r.stdout, 'trades'), realizedPnl: summaryFigure(r.stdout, 'realized P&L') };
  });

  it('answered /api/summary while running, with trades it had made by then', () => {
    expect(apiSummary.status).toBe(200);
    const summary = JSON.parse(apiSummary.body) as { totalTrades24h: number; systemStatus: string };
    expect(summary.totalTrades24h).toBeGreaterThan(0);
    expect(summary.totalTrades24h).toBeLessThanOrEqual(demo.trades);
    expect(['healthy', 'degraded', 'critical']).toContain(summary.systemStatus);
  });

  it('left a database holding exactly the trades its summary reported', () => {
    const sqlite = new Database(db(), { readonly: true });
    try {
      const { n } = sqlite.prepare('SELECT COUNT(*) AS n FROM trades').get() as { n: number };
      expect(n).toBeGreaterThan(0);
      expect(n).toBe(demo.trades);
      const loops = sqlite.prepare('SELECT COUNT(*) AS n FROM loop_executions').get() as { n: number };
      expect(loops.n).toBe(summaryFigure(demo.stdout, 'loop runs'));
      // Four-plus simulated hours at 3600x: the hourly growth rows were written on the way.
      const growth = sqlite.prepare('SELECT COUNT(*) AS n FROM growth_metrics').get() as { n: number };
      expect(growth.n).toBeGreaterThanOrEqual(1);
    } finally {
      sqlite.close();
    }
  });

  it('report --format json gives the same numbers', async () => {
    const r = await runCli(['report', '--format', 'json', '--db', db()], { cwd: dir, env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      summary: { totalTrades24h: number; totalPnl24h: number };
      trading: { tradingStats: { tradeCount: number; realizedPnl: number } };
      hourlyReport: { reportHour: string };
    };
    expect(report.summary.totalTrades24h).toBe(demo.trades);
    expect(report.trading.tradingStats.tradeCount).toBe(demo.trades);
    // The summary prints P&L rounded to at most 6 decimals.
    expect(Math.abs(report.summary.totalPnl24h - demo.realizedPnl)).toBeLessThan(0.01);
    expect(report.hourlyReport.reportHour).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/);
  });

  it('report refuses a malformed --hour with exit 2, naming it', async () => {
    const r = await runCli(['report', '--hour', 'noon', '--db', db()], { cwd: dir, env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: Invalid hour: "noon"; expected .*YYYY-MM-DDTHH/m);
  });

  it('report prints readable tables with the hourly growth', async () => {
    const r = await runCli(['report', '--db', db()], { cwd: dir, env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Summary as of /m);
    expect(r.stdout).toMatch(new RegExp(`^trades \\(24 h\\)\\s+${demo.trades.toLocaleString('en-US')}$`, 'm'));
    expect(r.stdout).toMatch(/^Hourly growth /m);
    expect(r.stdout).toMatch(/^BTCUSDT\s+\d/m);
    expect(r.stdout).toMatch(/^main_trading_loop\s+[\d,]+/m);
  });

  it('export writes the JSON and CSV exports to files', async () => {
    const json = join(dir, 'export.json');
    const csv = join(dir, 'export.csv');
    const a = await runCli(['export', '--format', 'json', '--out', json, '--db', db()], { cwd: dir, env: env() });
    const b = await runCli(['export', '--format', 'csv', '--out', csv, '--db', db()], { cwd: dir, env: env() });
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const exported = JSON.parse(readFileSync(json, 'utf8')) as { summary: { totalTrades24h: number } };
    expect(exported.summary.totalTrades24h).toBe(demo.trades);
    expect(readFileSync(csv, 'utf8').split('\n').length).toBeGreaterThan(2);
  });

  it('db stats counts the rows; db cleanup keeps what is younger than --days', async () => {
    const stats = await runCli(['db', 'stats', '--format', 'json', '--db', db()], { cwd: dir, env: env() });
    expect(stats.code).toBe(0);
    expect((JSON.parse(stats.stdout) as { trades: number }).trades).toBe(demo.trades);
    const keep = await runCli(['db', 'cleanup', '--days', '30', '--db', db()], { cwd: dir, env: env() });
    expect(keep.code).toBe(0);
    expect(keep.stdout).toMatch(/^deleted 0 rows older than /m);
  });

  it('serve answers the API over the database, records nothing (no /metrics), and stops on SIGTERM with exit 0', async () => {
    const p = start(['serve', '--port', '0', '--db', db()]);
    const [, base] = await p.waitFor(/^api: (http:\/\/127\.0\.0\.1:\d+)\/api\/summary$/m);
    await p.waitFor(new RegExp(`^console: ${base}/$`, 'm'));
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const summary = (await (await fetch(`${base}/api/summary`)).json()) as { totalTrades24h: number };
    expect(summary.totalTrades24h).toBe(demo.trades);
    p.child.kill('SIGTERM');
    const r = await p.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
