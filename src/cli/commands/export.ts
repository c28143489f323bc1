// `poseidon-monitor export`: the dashboards' export (JSON or CSV) of a stored history, written to a file.

import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { ManualClock } from '../../clock.js';
import { dashboardsOf, historySources, openStoredHistory, requireBotHistory, viewInstant } from '../internal/historyViews.js';
import { BOT_OPTION, type ConnectionFlags, DB_OPTION } from '../internal/openMonitor.js';
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
    .option(...DB_OPTION)
    .option(...BOT_OPTION)
    .action(async (flags: ExportFlags) => {
      await runExport(flags);
    });
}

export async function runExport(flags: ExportFlags): Promise<void> {
  const opened = openStoredHistory(flags);
  const { reader } = opened;
  let body: string;
  try {
    requireBotHistory(opened);
    const clock = new ManualClock(viewInstant(reader, flags.at));
    body = dashboardsOf(historySources(reader, clock), reader).exportDashboardData(flags.format);
  } finally {
    reader.close();
  }
  if (flags.out === '-') {
    process.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
    return;
  }
  // The export holds the same trading history as the database, so it gets the database's owner-only mode.
  await writeFile(flags.out, body, { mode: 0o600 });
  process.stdout.write(`wrote ${flags.format} export (${Buffer.byteLength(body)} bytes) to ${resolve(flags.out)}\n`);
}
