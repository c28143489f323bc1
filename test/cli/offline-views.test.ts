// What report, export and serve show of a finished demo: the history's figures, and no uptime for a process that is not running.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, cleanEnv, runCli } from './cliProcess.js';

let dir: string;
let db: string;
/** The balance the demo closed with, as its summary printed it (two decimals). */
let closingBalance: number;
const running: CliProcess[] = [];

const env = () => cleanEnv({ POSEIDON_LOG_FILE: join(dir, 'demo.log') });

type Summary = { uptimeSeconds: number | null; accountBalance: number | null; totalTrades24h: number };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'poseidon-offline-'));
  db = join(dir, 'demo.db');
  // The example as it was reported: 5 real seconds at 600x are 50 simulated minutes.
  const demo = await runCli(['demo', '--duration', '5s', '--speed', '600', '--port', '0', '--no-status', '--db', db], {
    cwd: dir,
    env: env(),
  });
  expect([demo.code, demo.stderr]).toEqual([0, '']);
  closingBalance = Number(/^balance\s+(\d+\.\d+) \(started at/m.exec(demo.stdout)![1]);
}, 120_000);

/** `balance` is the demo's closing balance, to the cent its summary printed. */
function expectClosing(balance: number | null): void {
  expect(balance).not.toBeNull();
  expect(balance!).toBeCloseTo(closingBalance, 2);
}

afterAll(() => {
  for (const p of running) p.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('the views of a finished demo: demo --duration 5s --speed 600', () => {
  it('export: no uptime, and the balance the history closed with', async () => {
    const r = await runCli(['export', '--out', '-', '--db', db], { cwd: dir, env: env() });
    expect(r.stderr).toBe('');
    const exported = JSON.parse(r.stdout) as { summary: Summary; realTime: { accountBalance: number | null } };
    expect(exported.summary.totalTrades24h).toBeGreaterThan(0);
    expect(exported.summary.uptimeSeconds).toBeNull();
    expectClosing(exported.summary.accountBalance);
    expectClosing(exported.realTime.accountBalance);
  }, 60_000);

  it('report: the same', async () => {
    const r = await runCli(['report', '--format', 'json', '--db', db], { cwd: dir, env: env() });
    expect(r.stderr).toBe('');
    const summary = (JSON.parse(r.stdout) as { summary: Summary }).summary;
    expect(summary.uptimeSeconds).toBeNull();
    expectClosing(summary.accountBalance);
    const table = await runCli(['report', '--db', db], { cwd: dir, env: env() });
    expect(table.stdout).toMatch(/^account balance\s+\d[\d,.]*$/m);
  }, 60_000);

  it('serve: the same, over HTTP', async () => {
    const p = new CliProcess(['serve', '--port', '0', '--db', db], { cwd: dir, env: env() });
    running.push(p);
    const [, base] = await p.waitFor(/^api: (http:\/\/127\.0\.0\.1:\d+)\/api\/summary$/m);
    const summary = (await (await fetch(`${base}/api/summary`)).json()) as Summary;
    expect(summary.uptimeSeconds).toBeNull();
    expectClosing(summary.accountBalance);
    const realTime = (await (await fetch(`${base}/api/realtime`)).json()) as { accountBalance: number | null };
    expectClosing(realTime.accountBalance);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  }, 60_000);
});
