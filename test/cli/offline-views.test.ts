// What report, export and serve show of a finished demo: the history's figures, and no uptime for a process that is not running.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, cleanEnv, runCli } from './cliProcess.js';

let dir: string;
let db: string;
/** The closing balance of the newest growth row the demo wrote (null if its run crossed no hour). */
let closingBalance: number | null;
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
  const sqlite = new Database(db, { readonly: true });
  try {
    const row = sqlite.prepare('SELECT closing_balance FROM growth_metrics ORDER BY timestamp DESC, id DESC LIMIT 1').get() as
      | { closing_balance: number }
      | undefined;
    closingBalance = row?.closing_balance ?? null;
  } finally {
    sqlite.close();
  }
}, 120_000);

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
    expect(exported.summary.accountBalance).toBe(closingBalance);
    expect(exported.realTime.accountBalance).toBe(closingBalance);
  }, 60_000);

  it('report: the same', async () => {
    const r = await runCli(['report', '--format', 'json', '--db', db], { cwd: dir, env: env() });
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { summary: Summary }).summary).toMatchObject({ uptimeSeconds: null, accountBalance: closingBalance });
    const table = await runCli(['report', '--db', db], { cwd: dir, env: env() });
    expect(table.stdout).toMatch(closingBalance === null ? /^account balance\s+-$/m : /^account balance\s+\d[\d,.]*$/m);
  }, 60_000);

  it('serve: the same, over HTTP', async () => {
    const p = new CliProcess(['serve', '--port', '0', '--db', db], { cwd: dir, env: env() });
    running.push(p);
    const [, base] = await p.waitFor(/^api: (http:\/\/127\.0\.0\.1:\d+)\/api\/summary$/m);
    const summary = (await (await fetch(`${base}/api/summary`)).json()) as Summary;
    expect(summary).toMatchObject({ uptimeSeconds: null, accountBalance: closingBalance });
    const realTime = (await (await fetch(`${base}/api/realtime`)).json()) as { accountBalance: number | null };
    expect(realTime.accountBalance).toBe(closingBalance);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  }, 60_000);
});
