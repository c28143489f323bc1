// report, export, serve and db stats read history read-only: beside a bot that writes, over a killed bot's WAL, and refusing foreign files untouched.

import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { type FixtureRun, runFixture } from '../helpers/childProcess.js';
import { QUIET_OPTIONS } from '../helpers/monitor.js';
import { CliProcess, type CliResult, cleanEnv, ROOT, runCli } from './cliProcess.js';

const WRITER = fileURLToPath(new URL('../fixtures/store/writer-child.ts', import.meta.url));

let dir: string;
const children: { kill(): void }[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'poseidon-readonly-'));
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = () => cleanEnv({ POSEIDON_LOG_FILE: '' });
/** Several CLI processes start in each test (each compiles its sources through tsx): minutes on a loaded machine. */
const SLOW = 180_000;

/** A bot writing numbered trades to `db`, flushing every 1,000 and printing `flushed N`. */
function writer(db: string): FixtureRun {
  const run = runFixture(WRITER, ROOT, { POSEIDON_TEST_DB: db, POSEIDON_TEST_MODE: 'flush' });
  children.push({ kill: () => run.child.kill('SIGKILL') });
  return run;
}

function serve(args: string[]): CliProcess {
  const p = new CliProcess(['serve', '--port', '0', ...args], { cwd: dir, env: env() });
  children.push({ kill: () => p.kill() });
  return p;
}

/**
 * Every file of `folder` with the SHA-256 of its bytes; a `-shm` file only by name: it is SQLite's
 * shared-memory index of the WAL, which every reader updates and which holds no rows.
 */
function digests(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(folder).sort()) {
    out[name] = name.endsWith('-shm')
      ? 'index'
      : createHash('sha256')
          .update(readFileSync(join(folder, name)))
          .digest('hex');
  }
  return out;
}

/** Each command with `args` after its own, all at once, to completion. */
function runAll(args: readonly string[], ...commands: readonly string[][]): Promise<CliResult[]> {
  return Promise.all(commands.map((command) => runCli([...command, ...args], { cwd: dir, env: env() })));
}

function lastFlushed(lines: readonly string[]): number {
  return Math.max(0, ...lines.map((l) => Number(/^flushed (\d+)$/.exec(l)?.[1] ?? 0)));
}

type Summary = { totalTrades24h: number; uptimeSeconds: number | null };

describe('beside a bot that is writing', () => {
  it(
    'report, export, db stats and serve read while the bot writes on, and take no writer lease',
    async () => {
      const folder = join(dir, 'live');
      mkdirSync(folder);
      const db = join(folder, 'live.db');
      const bot = writer(db);
      await bot.waitFor(/^flushed \d+$/, 2);
      const before = lastFlushed(bot.lines);
      const args = ['--db', db];
      const [report, exported, stats] = (await runAll(
        args,
        ['report', '--format', 'json'],
        ['export', '--out', '-'],
        ['db', 'stats', '--format', 'json'],
      )) as [CliResult, CliResult, CliResult];
      for (const r of [report, exported, stats]) expect([r.code, r.stderr]).toEqual([0, '']);
      expect((JSON.parse(report.stdout) as { summary: Summary }).summary.totalTrades24h).toBeGreaterThanOrEqual(before);
      expect((JSON.parse(exported.stdout) as { summary: Summary }).summary.totalTrades24h).toBeGreaterThanOrEqual(before);
      expect((JSON.parse(stats.stdout) as { trades: number }).trades).toBeGreaterThanOrEqual(before);

      // serve reads the file afresh (a view is reused for at most a second): it sees the bot's later flushes.
      const p = serve(args);
      const [, base] = await p.waitFor(/^api: (http:\/\/127\.0\.0\.1:\d+)\/api\/summary$/m);
      const summary = async () => (await (await fetch(`${base}/api/summary`)).json()) as Summary;
      const first = await summary();
      const seen = lastFlushed(bot.lines);
      await bot.waitFor(new RegExp(`^flushed ${seen + 2000}$`));
      let later = await summary();
      for (const deadline = Date.now() + 10_000; later.totalTrades24h < seen + 2000 && Date.now() < deadline; later = await summary()) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(later.totalTrades24h).toBeGreaterThanOrEqual(seen + 2000);
      expect(later.totalTrades24h).toBeGreaterThan(first.totalTrades24h);
      expect(later.uptimeSeconds).toBeNull();
      // Nothing recorded, so nothing to scrape; the console and the health check stay.
      expect((await fetch(`${base}/metrics`)).status).toBe(404);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/`)).headers.get('content-security-policy')).toContain("default-src 'self'");
      p.child.kill('SIGTERM');
      expect(await p.exited).toMatchObject({ code: 0, stderr: '' });

      // The bot wrote on all along: it is still flushing, and it holds the only writer lease.
      await bot.waitFor(new RegExp(`^flushed ${lastFlushed(bot.lines) + 1000}$`));
      const sqlite = new Database(db, { readonly: true });
      try {
        expect(sqlite.prepare('SELECT pid FROM writer_lease').all()).toEqual([{ pid: bot.child.pid }]);
      } finally {
        sqlite.close();
      }
    },
    SLOW,
  );
});

describe("over a killed bot's database", () => {
  it(
    'leaves the database and its WAL byte for byte as they were, read-only files included',
    async () => {
      const folder = join(dir, 'killed');
      mkdirSync(folder);
      const db = join(folder, 'killed.db');
      const bot = writer(db);
      await bot.waitFor(/^flushed 3000$/);
      bot.child.kill('SIGKILL');
      await bot.exited;
      // The rows are in the WAL (no checkpoint yet): a process that opened the file for writing
      // would copy them into the database when it closed.
      chmodSync(db, 0o400);
      const before = digests(folder);
      expect(Object.keys(before)).toEqual(['killed.db', 'killed.db-shm', 'killed.db-wal']);

      const args = ['--db', db];
      const runs = await runAll(
        args,
        ['report', '--format', 'json'],
        ['report'],
        ['export', '--format', 'csv', '--out', '-'],
        ['db', 'stats'],
      );
      for (const r of runs) expect([r.code, r.stderr]).toEqual([0, '']);
      expect((JSON.parse(runs[0]!.stdout) as { summary: Summary }).summary.totalTrades24h).toBeGreaterThanOrEqual(3000);
      const p = serve(args);
      const [, base] = await p.waitFor(/^api: (http:\/\/127\.0\.0\.1:\d+)\/api\/summary$/m);
      for (const path of ['/api/summary', '/api/trading', '/api/performance', '/api/realtime', '/api/export?format=csv']) {
        expect((await fetch(`${base}${path}`)).status).toBe(200);
      }
      p.child.kill('SIGTERM');
      expect((await p.exited).code).toBe(0);
      expect(digests(folder)).toEqual(before);
    },
    SLOW,
  );
});

describe('over a file store (JSON Lines) whose last line is being written', () => {
  it(
    'reads the whole lines and leaves every file as it was, the torn line included',
    async () => {
      const store = join(dir, 'files');
      const m = new MonitoringSystem({
        ...QUIET_OPTIONS,
        storage: 'file',
        storagePath: store,
        botName: 'alpha',
        clock: new ManualClock(Date.now() - 60_000),
      });
      await m.start();
      for (let i = 0; i < 3; i++) m.logTrade({ symbol: 'BTC', side: 'buy', quantity: 1, price: 100 });
      await m.stop();
      const folder = join(store, 'bot=alpha');
      const day = readdirSync(folder).find((f) => f.startsWith('trades-'))!;
      // An append in progress: a bot's next line, not yet ended.
      appendFileSync(join(folder, day), '{"event_type":"trade_execution","timest');
      const before = digests(folder);
      const fileEnv = { ...env(), POSEIDON_STORAGE: 'file', POSEIDON_STORAGE_PATH: store, POSEIDON_BOT_NAME: 'alpha' };
      const r = await runCli(['report', '--format', 'json'], { cwd: dir, env: fileEnv });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect((JSON.parse(r.stdout) as { summary: Summary }).summary.totalTrades24h).toBe(3);
      expect(digests(folder)).toEqual(before);
      expect(readdirSync(store)).toEqual(['bot=alpha']);
    },
    SLOW,
  );
});

describe('a file that is not this package’s current history', () => {
  function foreign(name: string, setup: (db: Database.Database) => void, wal: boolean): string {
    const folder = join(dir, name);
    mkdirSync(folder);
    const db = new Database(join(folder, `${name}.db`));
    if (wal) db.pragma('journal_mode = WAL');
    setup(db);
    db.close();
    return join(folder, `${name}.db`);
  }

  it.each([
    [
      'foreign-wal',
      (db: Database.Database) => db.exec('CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (1)'),
      true,
      /schema version 0 /,
    ],
    [
      'foreign',
      (db: Database.Database) => db.exec('CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (1)'),
      false,
      /not a poseidon-monitor database: no table trades \(found tables: notes\)/,
    ],
    [
      'future-wal',
      (db: Database.Database) => {
        db.exec('CREATE TABLE trades (timestamp INTEGER)');
        db.pragma('user_version = 99');
      },
      true,
      /schema version 99 is newer than this package's/,
    ],
  ])(
    '%s: refused by every command (exit 2, saying what was found), left byte for byte as it was',
    async (name, setup, wal, message) => {
      const db = foreign(name, setup, wal);
      const folder = join(dir, name);
      const before = digests(folder);
      expect(Object.keys(before)).toEqual([`${name}.db`]);
      const args = ['--db', db];
      const runs = await runAll(args, ['report'], ['export', '--out', '-'], ['db', 'stats'], ['serve', '--port', '0']);
      for (const r of runs) {
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stdout).toBe('');
      }
      // No -wal or -shm either: a WAL-mode file nobody has open is refused from its header.
      expect(digests(folder)).toEqual(before);
    },
    SLOW,
  );
});
