// `poseidon-monitor serve`: the console and the JSON API over a stored history, read-only, without a bot.

import { Command } from 'commander';
import { ApiHandlers } from '../../analytics/ApiHandlers.js';
import { DashboardData } from '../../analytics/DashboardData.js';
import { HttpServer } from '../../http/HttpServer.js';
import { addMonitorRoutes } from '../../http/monitorRoutes.js';
import { InProcessReader } from '../../http/reader/InProcessReader.js';
import { ScaledClock } from '../demo/ScaledClock.js';
import { historySources, openStoredHistory, requireBotHistory, viewInstant } from '../internal/historyViews.js';
import { BOT_OPTION, type ConnectionFlags, DB_OPTION } from '../internal/openMonitor.js';
import { integerIn } from '../internal/parse.js';
import { UsageError } from '../internal/UsageError.js';
import { untilStopped } from '../internal/untilStopped.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the console and the JSON API over a stored history, read-only, to look at it (Ctrl-C stops)')
    .option(...DB_OPTION)
    .option(...BOT_OPTION)
    .option('--host <host>', 'interface to bind (default: POSEIDON_METRICS_HOST, else 127.0.0.1)')
    .option('--port <port>', 'port; 0 picks a free one (default: POSEIDON_METRICS_PORT, else 9464)', integerIn(0, 65_535, 'a port'))
    .action(async (flags: ConnectionFlags) => {
      await runServe(flags);
    });
}

/**
 * Serves the views of the stored history until Ctrl-C: every request reads the store afresh
 * (a bot may be writing it meanwhile), and nothing is recorded, written or exported as metrics.
 */
export async function runServe(flags: ConnectionFlags): Promise<void> {
  const opened = openStoredHistory(flags);
  const { config, reader } = opened;
  try {
    requireBotHistory(opened);
    // History written by a sped-up demo lies in the future; the clock starts at its newest row then,
    // so the 24-hour views show it.
    const live = historySources(reader, new ScaledClock(1, viewInstant(reader, undefined)));
    const api = new ApiHandlers(
      {
        dashboards: new DashboardData(live.dashboard),
        reader: new InProcessReader({ live, version: () => 0 }),
        health: { report: () => ({ monitoringSystemRunning: null, history: reader.location, bot: config.botName, ...NOTHING_RECORDED }) },
        events: { query: () => [] },
      },
      { maxConcurrentRequests: config.apiMaxConcurrentRequests },
    );
    const { metricsHost: host, metricsPort: port, apiToken } = config;
    const onError = (error: unknown) => process.stderr.write(`serve: ${error instanceof Error ? error.message : String(error)}\n`);
    const http = addMonitorRoutes(new HttpServer({ host, port, apiToken, onError }), null);
    http.routePrefix('/api/', (request) => api.handle(request.pathname, request.query));
    try {
      await http.start();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new UsageError(`cannot listen (${String(code)}): pass --port 0 for a free port, or another --port`);
      }
      throw error;
    }
    const url = http.url!;
    process.stdout.write(`console: ${url}/\napi: ${url}/api/summary\nhistory: ${reader.location} (bot ${config.botName}, read-only)\n`);
    const reason = await untilStopped(null);
    process.stdout.write(`stopping (${reason})\n`);
    await http.stop();
    await api.stop();
  } finally {
    reader.close();
  }
}

/** The health figures of a process that records nothing (the console shows them). */
const NOTHING_RECORDED = {
  eventsRecorded: 0,
  eventLogSize: 0,
  eventLogCapacity: 0,
  callbackFailures: 0,
  sinkFailures: 0,
  lastFailure: null,
} as const;
