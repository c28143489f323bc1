import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildError, buildGrowth } from '../../src/events/build.js';
import { WebhookNotifier } from '../../src/notify/WebhookNotifier.js';
import { parseWebhookUrls } from '../../src/notify/webhookFormats.js';

interface Received {
  url: string;
  body: unknown;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function receiver(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(body) });
      handler(req, res, body);
    });
  });
  server.keepAliveTimeout = 100;
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const critical = (msg = 'exchange down') =>
  buildError(msg, { severity: 'critical', errorType: 'exchange_error', symbol: 'BTCUSDT' }, Date.UTC(2026, 10, 24, 10, 5));

describe('webhook targets', () => {
  it('parses json, telegram and discord entries and hides tokens', () => {
    const t = parseWebhookUrls(
      'POSEIDON_WEBHOOK_URLS',
      'https://hooks.example/a?key=s3cret, telegram=https://api.telegram.org/botTOKEN123/sendMessage?chat_id=42 ,discord=https://discord.example/api/webhooks/1/tok',
    );
    expect(t.map((x) => x.format)).toEqual(['json', 'telegram', 'discord']);
    expect(t[1]!.chatId).toBe('42');
    expect(t[1]!.url).not.toContain('chat_id');
    for (const x of t) expect(x.safeName).not.toMatch(/s3cret|TOKEN123|tok$/);
  });

  it('refuses malformed entries naming the variable without echoing the URL', () => {
    expect(() => parseWebhookUrls('POSEIDON_WEBHOOK_URLS', 'not a url with secret')).toThrow(/POSEIDON_WEBHOOK_URLS/);
    expect(() => parseWebhookUrls('POSEIDON_WEBHOOK_URLS', 'not a url with secret')).not.toThrow(/secret/);
    expect(() => parseWebhookUrls('POSEIDON_WEBHOOK_URLS', 'telegram=https://api.telegram.org/botX/sendMessage')).toThrow(/chat_id/);
    expect(() => parseWebhookUrls('POSEIDON_WEBHOOK_URLS', 'ftp://x.example/')).toThrow(/http/);
  });
});

describe('WebhookNotifier', () => {
  it('posts a critical error at once in each format', async () => {
    const r = await receiver((_q, res) => res.end('ok'));
    const targets = parseWebhookUrls('x', `${r.base}/generic,telegram=${r.base}/botT/sendMessage?chat_id=7,discord=${r.base}/discord`);
    const n = new WebhookNotifier(targets);
    n.record(critical());
    n.record(buildError('minor', { severity: 'low' }, 0)); // not sent
    await n.flush();
    expect(n.stats).toEqual({ sent: 3, failed: 0, dropped: 0, queued: 0 });
    const byPath = Object.fromEntries(r.received.map((x) => [x.url, x.body]));
    expect(byPath['/generic']).toMatchObject({
      kind: 'critical_error',
      title: 'CRITICAL exchange_error',
      fields: { symbol: 'BTCUSDT', severity: 'critical' },
    });
    expect(byPath['/botT/sendMessage']).toMatchObject({ chat_id: '7' });
    expect((byPath['/botT/sendMessage'] as { text: string }).text).toContain('exchange down');
    expect((byPath['/discord'] as { content: string }).content).toMatch(/^\*\*CRITICAL exchange_error\*\*/);
  });

  it('sends no critical errors when critical alerts are off (POSEIDON_CRITICAL_ALERTS=false)', async () => {
    const r = await receiver((_q, res) => res.end('ok'));
    const n = new WebhookNotifier(parseWebhookUrls('x', r.base), { criticalErrors: false });
    n.record(critical());
    await n.flush();
    expect(n.stats).toEqual({ sent: 0, failed: 0, dropped: 0, queued: 0 });
    expect(r.received).toHaveLength(0);
  });

  it('sends hourly reports only when enabled', async () => {
    const r = await receiver((_q, res) => res.end());
    const g = buildGrowth({
      timestamp: 2,
      hourStart: Date.UTC(2026, 10, 24, 9),
      openingBalance: 1000,
      closingBalance: 1010,
      tradeCount: 5,
      realizedPnl: 12.5,
      fees: 1,
      volume: 500,
    });
    const off = new WebhookNotifier(parseWebhookUrls('x', r.base));
    off.record(g);
    await off.flush();
    expect(r.received).toHaveLength(0);
    const on = new WebhookNotifier(parseWebhookUrls('x', r.base), { hourlyReports: true });
    on.record(buildError('e', {}, 1));
    on.record(g);
    await on.flush();
    expect(r.received[0]!.body).toMatchObject({ kind: 'hourly_report', fields: { growthRatio: 0.01, tradeCount: 5, errors: 1 } });
    expect((r.received[0]!.body as { text: string }).text).toContain('growth 1.00%');
  });

  it('retries a 500 with backoff, then counts the failure without throwing', async () => {
    const r = await receiver((_q, res) => {
      res.statusCode = 500;
      res.end();
    });
    const failures: string[] = [];
    const n = new WebhookNotifier(parseWebhookUrls('x', `${r.base}/hook?token=SECRET`), { maxAttempts: 3, backoffMillis: 5 }, (t, m) =>
      failures.push(`${t} ${m}`),
    );
    n.record(critical());
    await n.flush();
    expect(r.received).toHaveLength(3);
    expect(n.stats).toMatchObject({ sent: 0, failed: 1 });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('HTTP 500');
    expect(failures[0]).not.toContain('SECRET');
  });

  it('a refused connection is a counted failure', async () => {
    const r = await receiver(() => {});
    const url = r.base;
    await new Promise((res) => r.server.close(res));
    servers.pop();
    const n = new WebhookNotifier(parseWebhookUrls('x', url), { maxAttempts: 2, backoffMillis: 5 });
    n.record(critical());
    await n.flush();
    expect(n.stats).toMatchObject({ sent: 0, failed: 1 });
  });

  it('a hanging endpoint never blocks the caller: record returns at once, the queue is bounded, drops are counted', async () => {
    const hung: ServerResponse[] = [];
    const r = await receiver((_q, res) => hung.push(res));
    const n = new WebhookNotifier(parseWebhookUrls('x', r.base), { maxQueue: 10, timeoutMillis: 150, maxAttempts: 1 });
    for (let i = 0; i < 500; i++) n.record(critical(`e${i}`)); // synchronous: returns without awaiting anything
    expect(n.stats.queued).toBeLessThanOrEqual(10);
    expect(n.stats.dropped).toBeGreaterThanOrEqual(489);
    await n.stop(300);
    const s = n.stats;
    expect(s.sent).toBe(0);
    expect(s.sent + s.failed + s.dropped).toBe(500);
    for (const res of hung) res.destroy();
  });

  it('rate-limits per target per minute', async () => {
    const r = await receiver((_q, res) => res.end());
    let now = 0;
    const n = new WebhookNotifier(parseWebhookUrls('x', r.base), { perMinute: 3, now: () => now });
    for (let i = 0; i < 5; i++) n.record(critical());
    await n.flush();
    expect(n.stats).toMatchObject({ sent: 3, dropped: 2 });
    now += 61_000;
    n.record(critical());
    await n.flush();
    expect(n.stats.sent).toBe(4);
  });
});
