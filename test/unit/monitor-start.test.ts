// A start() that fails releases everything it opened: the port, the files, the exit hooks.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { QUIET_OPTIONS } from '../helpers/monitor.js';

/** A loopback port free at the time of asking. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a failed start()', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('releases the port, the log file and the exit hooks, so a second monitor starts on that port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'poseidon-start-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    // A database under a plain file cannot be created: the store fails after the server and the log opened.
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    const port = await freePort();
    const exitListeners = process.listenerCount('exit');
    const failing = new MonitoringSystem({
      ...QUIET_OPTIONS,
      enableMetricsServer: true,
      metricsPort: port,
      logFile: join(dir, 'monitor.log'),
      storage: 'sqlite',
      dbUrl: `sqlite:///${join(dir, 'not-a-folder', 'history.db')}`,
    });
    cleanup.push(() => failing.stop());
    await expect(failing.start()).rejects.toThrow();
    expect(failing.isRunning).toBe(false);
    expect(failing.metricsUrl).toBeNull();
    expect(process.listenerCount('exit')).toBe(exitListeners);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    const second = new MonitoringSystem({ ...QUIET_OPTIONS, enableMetricsServer: true, metricsPort: port });
    cleanup.push(() => second.stop());
    await second.start();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});
