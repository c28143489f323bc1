// Safe defaults: loopback binding, secrets kept out of every output (logs, database, API, exports), owner-only files, CLI export paths.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { HttpServer } from '../../src/http/HttpServer.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { cleanEnv, runCli } from '../cli/cliProcess.js';
import { tempDir } from './helpers.js';

const TOKEN = 'safe-defaults-token-S3CRET-0000';
const WEBHOOK = 'https://hooks.example.invalid/S3CRET-webhook-path';
const SECRETS = ['S3CRET-apikey', 'S3CRET-password', 'S3CRET-auth', 'S3CRET-loop-token', 'S3CRET-loop-end', 'S3CRET-tag', 'S3CRET-cookie'];

/** Every file under `dir`, relative path → content (bytes as latin1, so binary files are searched too). */
function contents(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (d.isFile()) out.set(relative(dir, join(d.parentPath, d.name)), readFileSync(join(d.parentPath, d.name)).toString('latin1'));
  }
  return out;
}

function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

const expectNoSecret = (where: string, text: string) => {
  for (const secret of [...SECRETS, TOKEN, WEBHOOK]) expect(text, `${where} holds ${secret}`).not.toContain(secret);
};

describe('network defaults', () => {
  it('bind 127.0.0.1 unless told otherwise, with no token required by default', async () => {
    expect(new MonitoringConfig({}).metricsHost).toBe('127.0.0.1');
    expect(MonitoringConfig.fromEnv({}).metricsHost).toBe('127.0.0.1');
    expect(MonitoringConfig.fromEnv({}).apiToken).toBeNull();
    const server = new HttpServer({ port: 0 });
    await server.start();
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await server.stop();
    }
    const monitor = new MonitoringSystem({ metricsPort: 0, storage: 'memory', logFile: null, logConsole: false });
    await monitor.start();
    try {
      expect(monitor.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(new URL(monitor.baseUrl!).port);
      // Not reachable on any other interface of this machine.
      const external = Object.values(networkInterfaces())
        .flat()
        .filter((i) => i !== undefined && !i.internal && i.family === 'IPv4')
        .map((i) => i!.address);
      for (const address of external) {
        const event = await new Promise<string>((resolve) => {
          const socket = connect({ host: address, port });
          socket.once('connect', () => {
            socket.destroy();
            resolve('connect');
          });
          socket.once('error', () => resolve('error'));
        });
        expect(event, `reachable on ${address}`).toBe('error');
      }
    } finally {
      await monitor.stop();
    }
  });

  it('never print the API token or webhook URLs in the configuration', () => {
    const config = new MonitoringConfig({ apiToken: TOKEN, webhookUrls: WEBHOOK });
    expectNoSecret('config JSON', JSON.stringify(config));
  });
});

describe('secrets in the bot’s free-form data', () => {
  let tmp: ReturnType<typeof tempDir>;
  let monitor: MonitoringSystem;
  let dbPath: string;
  let logPath: string;
  const headers = { Authorization: `Bearer ${TOKEN}` };
  const given = { exchange: { apiKey: SECRETS[0], nested: [{ password: SECRETS[1] }] }, note: 'visible-note' };

  beforeAll(async () => {
    tmp = tempDir();
    dbPath = join(tmp.dir, 'data', 'history.db');
    logPath = join(tmp.dir, 'logs', 'monitor.log');
    monitor = new MonitoringSystem({
      storage: 'sqlite',
      dbUrl: `sqlite:///${dbPath}`,
      logFile: logPath,
      logFormat: 'both',
      logLevel: 'DEBUG',
      logConsole: false,
      metricsPort: 0,
      apiToken: TOKEN,
      webhookUrls: WEBHOOK,
      installSignalHandlers: false,
    });
    await monitor.start();
    monitor.updateAccountBalance(1000);
    monitor.startLoopExecution('main', { additionalData: { session: { accessToken: SECRETS[3] } } });
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100, additionalData: given });
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 1, price: 110, additionalData: { Cookie: SECRETS[6] } });
    monitor.endLoopExecution('main', { tradesExecuted: 2, additionalData: { api_secret: SECRETS[4] } });
    monitor.logError('auth failed', {
      errorType: 'authentication_error',
      context: { request: { headers: { Authorization: SECRETS[2] } } },
    });
    monitor.logPerformanceMetric('latency', 5, 'ms', { token: SECRETS[5]!, venue: 'binance' });
    await monitor.flush();
  });
  afterAll(async () => {
    await monitor.stop();
    tmp.remove();
  });

  it('leaves the bot’s own object alone and hands every sink and callback the censored copy', () => {
    expect(given.exchange.apiKey).toBe(SECRETS[0]);
    const [sell, buy] = monitor.recentEvents.query({ eventType: 'trade_execution' }) as { additionalData: unknown }[];
    expect(buy!.additionalData).toEqual({ exchange: { apiKey: '[REDACTED]', nested: [{ password: '[REDACTED]' }] }, note: 'visible-note' });
    expect(sell!.additionalData).toEqual({ Cookie: '[REDACTED]' });
  });

  it('are not in the JSON API, its export, or exportDashboardData', async () => {
    const base = monitor.baseUrl!;
    for (const path of [...monitor.api.paths, '/api/events?limit=10000', '/api/export?format=csv', '/metrics']) {
      const response = await fetch(`${base}${path}`, { headers });
      expect(response.status, path).toBe(200);
      expectNoSecret(path, await response.text());
    }
    const events = await (await fetch(`${base}/api/events?limit=10000`, { headers })).text();
    // The data itself is kept, only the secret values are censored.
    expect(events).toContain('visible-note');
    expect(events).toContain('[REDACTED]');
    for (const format of ['json', 'csv'] as const) expectNoSecret(`exportDashboardData(${format})`, monitor.exportDashboardData(format));
    expect(monitor.exportDashboardData('json')).toContain('visible-note');
  });

  it('are not in any file the monitor writes: log lines (JSON and text), the database and its WAL', async () => {
    await monitor.flush();
    const files = contents(tmp.dir);
    expect([...files.keys()].some((f) => f.startsWith(join('data', 'history.db')))).toBe(true);
    expect(files.has(join('logs', 'monitor.log'))).toBe(true);
    for (const [file, text] of files) expectNoSecret(file, text);
    const db = [...files]
      .filter(([f]) => f.startsWith(join('data', 'history.db')))
      .map(([, t]) => t)
      .join('');
    expect(db).toContain('visible-note');
    expect(db).toContain('[REDACTED]');
  });

  it('creates the database owner-only (0600) and the log files owner+group at most (0640)', () => {
    // Also held per sink by test/store/history.test.ts and test/logging/rotation.test.ts.
    for (const f of readdirSync(join(tmp.dir, 'data'))) expect(statSync(join(tmp.dir, 'data', f)).mode & 0o777, f).toBe(0o600);
    expect(statSync(join(tmp.dir, 'data')).mode & 0o077).toBe(0);
    expect(statSync(logPath).mode & 0o777 & ~0o640).toBe(0);
  });

  it('are not in the CLI export, which is written owner-only and nowhere else', async () => {
    await monitor.stop();
    const work = join(tmp.dir, 'work');
    mkdirSync(join(work, 'out'), { recursive: true });
    const before = tree(tmp.dir);
    const result = await runCli(['export', '--db', dbPath, '--out', join('out', 'export.json')], { cwd: work, env: cleanEnv() });
    expect(result.code, result.stderr).toBe(0);
    const file = join(work, 'out', 'export.json');
    expectNoSecret('CLI export', readFileSync(file, 'utf8'));
    expect(readFileSync(file, 'utf8')).toContain('visible-note');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Exactly one new file: no log file in the working directory, nothing beside the export.
    const added = tree(tmp.dir).filter((f) => !before.includes(f) && !f.startsWith(join('data', 'history.db')));
    expect(added).toEqual([join('work', 'out', 'export.json')]);
  });
});

describe('the CLI export path', () => {
  let tmp: ReturnType<typeof tempDir>;
  let dbPath: string;

  beforeAll(async () => {
    tmp = tempDir();
    dbPath = join(tmp.dir, 'db', 'history.db');
    const m = new MonitoringSystem({
      storage: 'sqlite',
      dbUrl: `sqlite:///${dbPath}`,
      logFile: null,
      logConsole: false,
      enableMetricsServer: false,
    });
    await m.start();
    m.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 100 });
    await m.stop();
    mkdirSync(join(tmp.dir, 'cwd'));
  });
  afterAll(() => tmp.remove());

  const newFiles = async (args: string[]) => {
    const before = tree(tmp.dir);
    const result = await runCli(['export', '--db', dbPath, ...args], { cwd: join(tmp.dir, 'cwd'), env: cleanEnv() });
    return { result, added: tree(tmp.dir).filter((f) => !before.includes(f) && !f.startsWith(join('db', 'history.db'))) };
  };

  it('is taken as given, relative to the working directory, and only that file is written', async () => {
    mkdirSync(join(tmp.dir, 'elsewhere'));
    const { result, added } = await newFiles(['--out', join('..', 'elsewhere', 'e.csv'), '--format', 'csv']);
    expect(result.code, result.stderr).toBe(0);
    expect(added).toEqual([join('elsewhere', 'e.csv')]);
    expect(result.stdout).toContain(join(tmp.dir, 'elsewhere', 'e.csv'));
  });

  it('writes to stdout for "-" and creates no file', async () => {
    const { result, added } = await newFiles(['--out', '-']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveProperty('summary');
    expect(added).toEqual([]);
  });

  it('fails without creating folders when the target folder does not exist, and refuses other formats', async () => {
    const missing = await newFiles(['--out', join('no', 'such', 'dir', 'e.json')]);
    expect(missing.result.code).not.toBe(0);
    expect(missing.added).toEqual([]);
    const format = await newFiles(['--out', 'x.json', '--format', '../x']);
    expect(format.result.code).toBe(2);
    expect(format.added).toEqual([]);
  });
});
