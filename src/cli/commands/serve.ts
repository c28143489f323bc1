// `poseidon-monitor serve`: the console, /metrics and the JSON API over an existing database, without a bot.

import { Command } from 'commander';
import { ScaledClock } from '../demo/ScaledClock.js';
import { type ConnectionFlags, latestActivity, openHistory } from '../internal/openMonitor.js';
import { integerIn } from '../internal/parse.js';
import { UsageError } from '../internal/UsageError.js';
import { untilStopped } from '../internal/untilStopped.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the console, /metrics and the JSON API over an existing database, to look at its history (Ctrl-C stops)')
    .option('--db <file>', 'SQLite file (default: POSEIDON_DB_URL, else ./poseidon_metrics.db)')
    .option('--host <host>', 'interface to bind (default: POSEIDON_METRICS_HOST, else 127.0.0.1)')
    .option('--port <port>', 'port; 0 picks a free one (default: POSEIDON_METRICS_PORT, else 9464)', integerIn(0, 65_535, 'a port'))
    .option('--log-file <file>', 'log file; "" for none (default: POSEIDON_LOG_FILE)')
    .action(async (flags: ConnectionFlags) => {
      await runServe(flags);
    });
}

export async function runServe(flags: ConnectionFlags): Promise<void> {
  // History written by a sped-up demo lies in the future; the server's clock starts at its newest
  // row then, so the 24-hour views show it (see openHistoryAsOf).
  const probe = await openHistory(flags);
  const latest = latestActivity(probe);
  await probe.stop();
  const start = Math.max(Date.now(), latest ?? 0);
  let monitor: Awaited<ReturnType<typeof openHistory>>;
  try {
    monitor = await openHistory(flags, { server: true, clock: new ScaledClock(1, start) });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(`cannot listen (${String(code)}): pass --port 0 for a free port, or another --port`);
    }
    throw error;
  }
  const url = monitor.baseUrl;
  if (url === null) {
    await monitor.stop();
    throw new UsageError('the HTTP server is off (POSEIDON_METRICS_SERVER=false): nothing to serve');
  }
  process.stdout.write(`console: ${url}/\nmetrics: ${url}/metrics\napi: ${url}/api/summary\n`);
  const reason = await untilStopped(null);
  process.stdout.write(`stopping (${reason})\n`);
  await monitor.stop();
}
