import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { ErrorType } from '../../src/events/types.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';

describe('notifications through the monitor', () => {
  it('posts a critical error and the hourly report to a webhook; a secret-bearing URL is refused without echo', async () => {
    const bodies: Record<string, unknown>[] = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => {
        b += c;
      });
      req.on('end', () => {
        bodies.push(JSON.parse(b));
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const clock = new ManualClock(Date.UTC(2026, 10, 24, 9, 30));
    const config = MonitoringConfig.fromEnv(
      { POSEIDON_WEBHOOK_URLS: url, POSEIDON_NOTIFY_HOURLY: 'true' },
      { clock, storage: 'memory', logFile: null, logConsole: false, enableMetricsServer: false },
    );
    expect(JSON.stringify(config.toJSON())).not.toContain(url);
    const monitor = new MonitoringSystem(config);
    await monitor.start();
    monitor.updateAccountBalance(1000);
    monitor.logError('exchange unreachable', { errorType: ErrorType.EXCHANGE_ERROR, severity: 'critical' });
    monitor.updateAccountBalance(1020);
    clock.advanceTo(Date.UTC(2026, 10, 24, 10));
    await monitor.notifier!.flush();
    await monitor.stop();
    await new Promise((r) => server.close(r));
    expect(bodies.map((b) => b.kind)).toEqual(['critical_error', 'hourly_report']);
    expect(bodies[1]).toMatchObject({ fields: { openingBalance: 1000, closingBalance: 1020, errors: 1 } });
    expect(() => MonitoringConfig.fromEnv({ POSEIDON_WEBHOOK_URLS: 'https//bot123:SECRET/x' })).toThrow(/POSEIDON_WEBHOOK_URLS/);
    expect(() => MonitoringConfig.fromEnv({ POSEIDON_WEBHOOK_URLS: 'https//bot123:SECRET/x' })).not.toThrow(/SECRET/);
  });
});
