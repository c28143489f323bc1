// A hostile webhook peer costs at most its deadline: a trickled body is cut, stop() resolves, flush() keeps the process alive until it settles.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { buildError } from '../../src/events/build.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { WebhookNotifier } from '../../src/notify/WebhookNotifier.js';
import { parseWebhookUrls } from '../../src/notify/webhookFormats.js';
import { type TricklingPeer, tricklingPeer } from '../helpers/hostilePeer.js';

const CHILD = fileURLToPath(new URL('./fixtures/refused-flush-child.ts', import.meta.url));

const peers: TricklingPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await p.stop();
});

async function peer(): Promise<TricklingPeer> {
  const p = await tricklingPeer();
  peers.push(p);
  return p;
}

const critical = () => buildError('exchange down', { severity: 'critical' }, Date.UTC(2026, 10, 24, 10, 5));

describe('a hostile webhook peer', () => {
  it('a body trickled past the deadline is cut at the deadline and counted as a timed-out failure', async () => {
    const hostile = await peer();
    const failures: string[] = [];
    const n = new WebhookNotifier(parseWebhookUrls('x', `${hostile.base}/hook`), { timeoutMillis: 300, maxAttempts: 1 }, (_t, m) =>
      failures.push(m),
    );
    n.notify({ kind: 'test', title: 't', text: 't', fields: {}, timestamp: 0 });
    // The whole exchange, body included, is abandoned: the peer sees its connection closed long
    // before it could send its million bytes.
    const bytes = await hostile.closed;
    expect(bytes).toBeLessThan(100);
    await n.flush(60_000);
    expect(failures).toEqual(['timed out after 300 ms']);
    expect(n.stats).toMatchObject({ sent: 0, failed: 1 });
  });

  it('stop() resolves, however the peer trickles, with retries and backoff still ahead', async () => {
    const hostile = await peer();
    // Deadlines far past the test's own timeout: only stop()'s grace can end this in time.
    const n = new WebhookNotifier(parseWebhookUrls('x', `${hostile.base}/hook`), {
      timeoutMillis: 600_000,
      maxAttempts: 5,
      backoffMillis: 600_000,
    });
    n.record(critical());
    n.record(critical());
    const stopped = n.stop(200);
    await stopped;
    expect(n.stats).toMatchObject({ sent: 0, queued: 0 });
    expect(await hostile.closed).toBeLessThan(100);
  });

  it("the monitor's stop() resolves and closes its log file while a webhook trickles", async () => {
    const hostile = await peer();
    const dir = mkdtempSync(join(tmpdir(), 'poseidon-hostile-'));
    try {
      const file = join(dir, 'bot.log');
      const monitor = new MonitoringSystem({
        logFile: file,
        logConsole: false,
        storage: 'memory',
        enableMetricsServer: false,
        webhookUrls: `${hostile.base}/hook`,
        clock: new ManualClock(Date.UTC(2026, 10, 24)),
      });
      await monitor.start();
      monitor.logError('exchange down', { severity: 'critical' });
      await monitor.stop();
      expect(await hostile.closed).toBeLessThan(100);
      expect(readFileSync(file, 'utf8')).toContain('"msg":"monitoring system stopped"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('flush() keeps the process alive until it settles, with a refused webhook and nothing else alive', async () => {
    const result = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
      });
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(result).toEqual({ code: 0, out: 'flushed {"sent":0,"failed":1,"dropped":0,"queued":0}\n' });
  });
});
