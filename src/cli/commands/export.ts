// `poseidon-monitor export`: the dashboards' export (JSON or CSV) of a database, written to a file.

import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { dashboardViews } from '../internal/dashboardViews.js';
import { openHistoryAsOf } from '../internal/historyClock.js';
import type { ConnectionFlags } from '../internal/openMonitor.js';
import { oneOf, parseInstant } from '../internal/parse.js';

/** Flags of `export`. */
export interface ExportFlags extends ConnectionFlags {
  format: 'json' | 'csv';
  out: string;
  at?: number;
}

export function exportCommand(): Command {
  return new Command('export')
    .description('write the dashboard export (summary, trading, performance, real-time, hourly report) to a file')
    .option('--format <format>', 'json or csv', oneOf(['json', 'csv'] as const), 'json')
    .requiredOption('--out <file>', 'file to write ("-" for stdout)')
    .option('--at <time>', 'export as of this ISO time (default: now, or the newest row if that is later)', parseInstant)
    .option('--db <file>', 'SQLite file (default: POSEIDON_DB_URL, else ./poseidon_metrics.db)')
    .action(async (flags: ExportFlags) => {
      await runExport(flags);
    });
}

export async function runExport(flags: ExportFlags): Promise<void> {
  const { monitor } = await openHistoryAsOf(flags, flags.at);
  let body: string;
  try {
    body = await dashboardViews(monitor).exportDashboardData(flags.format);
  } finally {
    await monitor.stop();
  }
  if (flags.out === '-') {
    process.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
    return;
  }
  // The export holds the same trading history as the database, so it gets the database's owner-only mode.
  await writeFile(flags.out, body, { mode: 0o600 });
  process.stdout.write(`wrote ${flags.format} export (${Buffer.byteLength(body)} bytes) to ${resolve(flags.out)}\n`);
}
